package shopee

import (
	"math/rand"
	"testing"

	"github.com/facolos/etl/connector"
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
		{}, {k: kNull}, {k: kTrue}, {k: kFalse}, {k: kObject, s: `{"a":1}`}, {k: kArray, s: `[1,"x"]`},
		{k: kString, s: ""}, {k: kString, s: "Hà Nội"}, {k: kString, s: " 12 "}, {k: kString, s: "12"}, {k: kString, s: "yes"},
		{k: kString, s: "1751590403"}, {k: kString, s: "12.50"}, {k: kString, s: "x"},
		{k: kNumber, s: "0"}, {k: kNumber, s: "1"}, {k: kNumber, s: "-1"}, {k: kNumber, s: "255"}, {k: kNumber, s: "256"},
		{k: kNumber, s: "1751590403"}, {k: kNumber, s: "1751590403000"}, {k: kNumber, s: "99999999999"},
		{k: kNumber, s: "4102444800"}, {k: kNumber, s: "4102444799"}, {k: kNumber, s: "123456789012345678"},
		{k: kNumber, s: "1234567890123456789"}, {k: kNumber, s: "1e3"}, {k: kNumber, s: "12.0"}, {k: kNumber, s: "12.5"},
		{k: kNumber, s: "0.8"}, {k: kNumber, s: "1580850"}, {k: kNumber, s: "12.3456789"}, {k: kNumber, s: "-0"},
		{k: kNumber, s: "99999999999999999999.5"}, {k: kNumber, s: "1.50"},
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
