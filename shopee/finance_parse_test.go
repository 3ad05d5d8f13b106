package shopee

import (
	"encoding/json"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

// Unexpected shapes of the payment answers are errors naming what is
// wrong, never an empty page.
func TestFinanceAnswerShapes(t *testing.T) {
	for _, c := range []struct{ raw, want string }{
		{`null`, "response is null"},
		{`{"escrow_list":[]}`, "response.more is missing"},
		{`{"more":true}`, "response.escrow_list is missing"},
		{`{"more":false,"escrow_list":[{"payout_amount":1,"escrow_release_time":5}]}`, "order_sn is missing"},
		{`{"more":false,"escrow_list":[{"order_sn":"A","escrow_release_time":5}]}`, "payout_amount is missing"},
		{`{"more":false,"escrow_list":[{"order_sn":"A","payout_amount":1}]}`, "escrow_release_time is missing"},
		{`{"more":false,"escrow_list":[{"order_sn":"A","payout_amount":"1","escrow_release_time":5}]}`, "payout_amount is missing or not a number"},
	} {
		_, err := parseEscrowList(json.RawMessage(c.raw))
		require.ErrorContains(t, err, c.want, c.raw)
	}
	p, err := parseEscrowList(json.RawMessage(`{"more":false}`))
	require.NoError(t, err, "an empty window may omit the list")
	require.Empty(t, p.Releases)

	asked := map[string]bool{"A": true}
	for _, c := range []struct{ raw, want string }{
		{`null`, "response is null"},
		{`{"escrow_detail":{}}`, "not an array"},
		{`[{"x":1}]`, "escrow_detail is missing"},
		{`[{"escrow_detail":{"order_income":{}}}]`, "order_sn is missing"},
		{`[{"escrow_detail":{"order_sn":"B","order_income":{}}}]`, "order B was not asked for"},
		{`[{"escrow_detail":{"order_sn":"A"}}]`, "order_income is not an object"},
		{`[{"escrow_detail":{"order_sn":"A","order_income":{"escrow_amount":1}}},{"escrow_detail":{"order_sn":"A","order_income":{"escrow_amount":2}}}]`,
			"answered twice"},
	} {
		_, err := parseEscrowDetails(json.RawMessage(c.raw), asked)
		require.ErrorContains(t, err, c.want, c.raw)
	}
	d, err := parseEscrowDetails(json.RawMessage(`[{"order_sn":"A","order_income":{"escrow_amount":1}}]`), asked)
	require.NoError(t, err, "a detail at the top level of the element is tolerated")
	require.Contains(t, d.Details, "A")

	for _, c := range []struct{ raw, want string }{
		{`{"transaction_list":[]}`, "response.more is missing"},
		{`{"more":true}`, "transaction_list is missing"},
		{`{"more":false,"transaction_list":[{"amount":1,"create_time":5}]}`, "transaction_type is missing"},
		{`{"more":false,"transaction_list":[{"transaction_type":"X","create_time":5}]}`, "amount is missing"},
		{`{"more":false,"transaction_list":[{"transaction_type":"X","amount":1}]}`, "create_time is missing"},
	} {
		_, err := parseWalletPage(json.RawMessage(c.raw))
		require.ErrorContains(t, err, c.want, c.raw)
	}
}

type rowsOut map[string][][]any

func (o rowsOut) Add(t *connector.Table, row []any) { o[t.Name] = append(o[t.Name], row) }

// A malformed escrow detail is rejected (quarantined by the runner) with
// the field and the order in the reason; the version follows the rule.
func TestFinanceTransform(t *testing.T) {
	tr := Transformer{ShopID: 9}
	rec := func(data string) connector.Record {
		return connector.Record{Stream: StreamEscrow, Key: "A", Data: json.RawMessage(data)}
	}
	for _, c := range []struct{ data, want string }{
		{`{"order_sn":"A","released":true,"escrow_detail":{"order_sn":"A","order_income":{}}}`, "escrow_amount is missing"},
		{`{"order_sn":"A","released":true,"escrow_detail":{"order_sn":"A","order_income":{"escrow_amount":"12"}}}`, "escrow_amount is missing or not a number"},
		{`{"order_sn":"A","released":true,"escrow_detail":{"order_sn":"A","order_income":{"escrow_amount":1,"commission_fee":"3"}}}`, "order_income.commission_fee"},
		{`{"order_sn":"A","released":true,"escrow_detail":{"order_sn":"A","order_income":{"escrow_amount":1.00001}}}`, "order_income.escrow_amount"},
		{`{"order_sn":"A","released":true,"escrow_detail":{"order_sn":"B","order_income":{"escrow_amount":1}}}`, "asked for A"},
		{`{"order_sn":"A","released":true,"escrow_detail":{"order_sn":"A","order_income":{"escrow_amount":1,"items":[{"item_id":"x"}]}}}`, "order_income.items[0].item_id"},
		{`{"order_sn":"A","released":true}`, "escrow_detail is missing"},
	} {
		err := tr.Transform(rec(c.data), rowsOut{})
		require.ErrorContains(t, err, c.want, c.data)
		require.ErrorContains(t, err, "order A")
	}
	out := rowsOut{}
	require.NoError(t, tr.Transform(rec(`{"order_sn":"A","released":true,"release_time":100,"release":{"order_sn":"A","payout_amount":5,"escrow_release_time":100},
		"escrow_detail":{"order_sn":"A","order_income":{"escrow_amount":5,"order_adjustment":[{"amount":-2,"date":300,"currency":"VND","adjustment_reason":"x"}]}}}`), out))
	version := out["shopee_order_income"][0][tIncome.ColumnIndex("income_version_time")]
	require.Equal(t, int64(300), version.(interface{ Unix() int64 }).Unix(), "the latest of release and adjustments")
	require.Len(t, out["shopee_order_adjustments"], 1)
	require.Len(t, out["shopee_escrow_releases"], 1)
	require.Equal(t, int64(9), out["shopee_order_income"][0][0])
}
