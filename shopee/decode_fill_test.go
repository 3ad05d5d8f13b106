package shopee

import (
	"math/rand"
	"strconv"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

// TestFillFastSameAsGeneral fills rows of every binding from objects of
// random values of every kind and form (the forms fillFast takes and the
// ones it leaves: numbers as text, decimals not canonical, out-of-range
// epochs, booleans as words, objects, lists, ...) twice: with fillFast,
// and with the general loop alone (a skip list that skips nothing turns
// fillFast off). The rows and the errors must be the same.
func TestFillFastSameAsGeneral(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	forms := []val{
		{}, mkval(kNull, ""), mkval(kTrue, ""), mkval(kFalse, ""), mkval(kObject, `{"a":1}`), mkval(kArray, `[1,"x"]`),
		mkval(kString, ""), mkval(kString, "Hà Nội"), mkval(kString, " 12 "), mkval(kString, "12"), mkval(kString, "yes"),
		mkval(kString, "1751590403"), mkval(kString, "12.50"), mkval(kString, "x"),
		mkval(kNumber, "0"), mkval(kNumber, "1"), mkval(kNumber, "-1"), mkval(kNumber, "255"), mkval(kNumber, "256"),
		mkval(kNumber, "1751590403"), mkval(kNumber, "1751590403000"), mkval(kNumber, "99999999999"),
		mkval(kNumber, "4102444800"), mkval(kNumber, "4102444799"), mkval(kNumber, "123456789012345678"),
		mkval(kNumber, "1234567890123456789"), mkval(kNumber, "1e3"), mkval(kNumber, "12.0"), mkval(kNumber, "12.5"),
		mkval(kNumber, "0.8"), mkval(kNumber, "1580850"), mkval(kNumber, "12.3456789"), mkval(kNumber, "-0"),
		mkval(kNumber, "99999999999999999999.5"), mkval(kNumber, "1.50"),
	}
	all := []*binding{bOrders, bAddress, bInvoice, bItems, bLocations, bPackages, bPkgItems, bPayments}
	var bx connector.Boxer
	for round := 0; round < 20000; round++ {
		b := all[r.Intn(len(all))]
		nSlots, nGroups := 0, 0
		for _, c := range b.cols {
			nSlots = max(nSlots, int(c.slot)+1)
			nGroups = max(nGroups, int(c.group)+1)
		}
		o := &obj{vals: make([]val, nSlots), groups: make([]kind, nGroups)}
		for i := range o.vals {
			o.vals[i] = forms[r.Intn(len(forms))]
			if r.Intn(3) > 0 { // mostly the usual forms
				o.vals[i] = forms[r.Intn(22)]
			}
		}
		for i := range o.groups {
			o.groups[i] = []kind{kAbsent, kNull, kObject, kObject, kString}[r.Intn(5)]
		}
		rc := &rowCtx{sn: "SN", snVal: "SN", reqVal: "req", prefix: "item_list[%d].", i: 3, syn: "syn", bx: &bx}
		none := make([]int, len(b.cols))
		for i := range none {
			none[i] = -1
		}
		fast, general := make([]any, len(b.cols)), make([]any, len(b.cols))
		errFast, errGeneral := b.fill(fast, o, rc, nil), b.fill(general, o, rc, none)
		if (errFast == nil) != (errGeneral == nil) || (errFast != nil && errFast.Error() != errGeneral.Error()) {
			t.Fatalf("%s %v: fillFast error %v, general %v", b.t.Name, o.vals, errFast, errGeneral)
		}
		if errFast == nil && render(fast) != render(general) {
			t.Fatalf("%s %v:\nfast:    %s\ngeneral: %s", b.t.Name, o.vals, render(fast), render(general))
		}
	}
}

// TestEpochFastPath checks fillFast's own epoch conversion against
// connector.EpochTime around every bound: 0, 1, the end of the seconds
// window (MaxTime), 1e11 where milliseconds start, and random epochs.
func TestEpochFastPath(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	ns := []int64{-1, 0, 1, 2, maxEpochSeconds - 1, maxEpochSeconds, maxEpochSeconds + 1, 1751590403,
		99_999_999_999, 100_000_000_000, 100_000_000_001, 1751590403000, connector.MaxTime.UnixMilli() - 1, connector.MaxTime.UnixMilli()}
	for i := 0; i < 2000; i++ {
		ns = append(ns, r.Int63n(2*maxEpochSeconds), r.Int63n(5_000_000_000_000))
	}
	b := bind(tOrders, orderShape)
	slot := b.cols[tOrders.ColumnIndex("create_time")].slot
	var bx connector.Boxer
	for _, n := range ns {
		o := &obj{vals: make([]val, orderShape.nSlots), groups: make([]kind, len(orderShape.groups))}
		o.vals[slot] = mkval(kNumber, strconv.FormatInt(n, 10))
		row := make([]any, len(b.cols))
		err := b.fill(row, o, &rowCtx{bx: &bx}, nil)
		got := row[tOrders.ColumnIndex("create_time")]
		want, werr := connector.EpochTime(n)
		switch {
		case n == 0:
			require.NoError(t, err)
			require.Nil(t, got, "epoch 0 is NULL")
		case werr != nil:
			require.ErrorContains(t, err, werr.Error(), "epoch %d", n)
		default:
			require.NoError(t, err, "epoch %d", n)
			require.Equal(t, want, got, "epoch %d", n)
			require.Equal(t, want.Location(), got.(time.Time).Location())
		}
	}
}
