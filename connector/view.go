package connector

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ViewPart is one platform's share of a view that unions the parts of every
// platform a warehouse holds: staging.order_net_payout has a Shopee part, a
// TikTok Shop part and a Lazada part, and a warehouse that loads only Shopee
// gets a view of the Shopee part alone.
//
// A sink that implements ViewSink stores each part it is given (keyed by View
// and Part) and recreates the view as the UNION ALL of every part stored so
// far, so that workers loading different platforms into one warehouse build
// one view together.
type ViewPart struct {
	// View is the qualified view name ("staging.order_net_payout").
	View string
	// Part names the part within its view ("shopee"); a part given again
	// replaces the stored one.
	Part string
	// Columns are the view's columns in order. Every part of a view has
	// the same list; a part with another list is refused. The view casts
	// each part's column to the column's type (Nullable and Auto are not
	// used), so parts never disagree on a type.
	Columns []Column
	// SQL is a SELECT that yields Columns in order, written in the portable
	// subset every sink accepts (see ExpandViewSQL): standard SELECT, JOIN,
	// GROUP BY, CASE, COALESCE, SUM, MAX, CAST AS DECIMAL(p,s), no
	// dialect-specific functions, and these placeholders:
	//
	//	{staging.table}  the sink's quoted name of a table (any schema)
	//	{true} {false}   boolean literals (1/0 where booleans are bits)
	//	{text}           the type of a text CAST (CAST(x AS {text}))
	//	{timestamp}      the type of a timestamp CAST (CAST(NULL AS {timestamp}))
	SQL string
	// Doc says, per column, how the part computes it (for the warehouse
	// reference; not stored).
	Doc map[string]string
}

// ViewTransformer is implemented by a Transformer whose tables feed view
// parts. The runner passes its parts to a sink that implements ViewSink after
// preparing the transformer's tables.
type ViewTransformer interface {
	// Views lists the transformer's view parts.
	Views() []ViewPart
}

// ViewSink is implemented by sinks that create views from parts.
type ViewSink interface {
	// PrepareViews stores parts and recreates each view they name as the
	// UNION ALL of all its stored parts, in part-name order. The tables the
	// parts read must have been prepared. A part whose Columns differ from
	// the stored parts of its view is refused with ErrViewColumns. Safe for
	// concurrent use by several workers.
	PrepareViews(ctx context.Context, parts []ViewPart) error
}

// ErrViewColumns means a view part's columns differ from the other parts of
// its view.
var ErrViewColumns = fmt.Errorf("view part columns differ from the view's")

// ViewDialect tells ExpandViewSQL how a sink spells the placeholders of the
// portable view subset.
type ViewDialect struct {
	// Table returns the quoted name of schema.name.
	Table func(schema, name string) string
	// True and False are the boolean literals.
	True, False string
	// Text and Timestamp are CAST target types.
	Text, Timestamp string
	// Quote quotes an identifier.
	Quote func(name string) string
	// Type is the CAST target type of a view column ("": no cast).
	Type func(c Column) string
}

var placeholder = regexp.MustCompile(`\{([a-z_][a-z0-9_]*)(?:\.([a-z_][a-z0-9_]*))?\}`)

// ExpandViewSQL replaces the placeholders of a part's SQL with d's spelling.
// An unknown placeholder is an error naming it.
func ExpandViewSQL(sql string, d ViewDialect) (string, error) {
	var bad []string
	out := placeholder.ReplaceAllStringFunc(sql, func(m string) string {
		g := placeholder.FindStringSubmatch(m)
		if g[2] != "" {
			return d.Table(g[1], g[2])
		}
		switch g[1] {
		case "true":
			return d.True
		case "false":
			return d.False
		case "text":
			return d.Text
		case "timestamp":
			return d.Timestamp
		}
		bad = append(bad, m)
		return m
	})
	if len(bad) > 0 {
		return "", fmt.Errorf("view SQL: unknown placeholder %s", strings.Join(bad, ", "))
	}
	return out, nil
}

// UnionView builds the body of a view from its parts: each part's expanded
// SQL, with its columns named by the first part's list, joined by UNION ALL in
// part-name order. It checks that every part has the same columns.
func UnionView(parts []ViewPart, d ViewDialect) (string, error) {
	if len(parts) == 0 {
		return "", fmt.Errorf("view with no parts")
	}
	ps := slices.Clone(parts)
	slices.SortFunc(ps, func(a, b ViewPart) int { return strings.Compare(a.Part, b.Part) })
	var sb strings.Builder
	for i, p := range ps {
		if !slices.EqualFunc(p.Columns, ps[0].Columns, sameViewColumn) {
			return "", fmt.Errorf("%s part %q: %w", p.View, p.Part, ErrViewColumns)
		}
		body, err := ExpandViewSQL(p.SQL, d)
		if err != nil {
			return "", fmt.Errorf("%s part %q: %w", p.View, p.Part, err)
		}
		if i > 0 {
			sb.WriteString("\nUNION ALL\n")
		}
		// A derived table names the columns the same way for every part,
		// whatever the part's own aliases are.
		sb.WriteString("SELECT ")
		for j, c := range ps[0].Columns {
			if j > 0 {
				sb.WriteString(", ")
			}
			col := "p." + d.Quote(c.Name)
			if typ := d.Type(c); typ != "" {
				col = "CAST(" + col + " AS " + typ + ")"
			}
			sb.WriteString(col + " AS " + d.Quote(c.Name))
		}
		fmt.Fprintf(&sb, " FROM (%s) p", body)
	}
	return sb.String(), nil
}

func sameViewColumn(a, b Column) bool {
	return a.Name == b.Name && a.Type == b.Type && a.Precision == b.Precision && a.Scale == b.Scale && a.Length == b.Length
}

// NetPayoutView is the view of what each order paid out, one row per order
// per platform (docs/warehouse.md describes every column).
const NetPayoutView = "staging.order_net_payout"

// NetPayoutColumns are the columns of NetPayoutView, in order. Money is
// DECIMAL(18,4); fees, seller vouchers and platform vouchers are amounts
// (positive: charged to the seller, or paid by the platform for the
// buyer); shipping_net, adjustments and net_payout are signed (positive:
// money to the seller). payout_status is "estimate" (figures can still
// change), "settled" (released to the seller's platform balance) or "paid"
// (paid out to the seller's bank).
var NetPayoutColumns = []Column{
	{Name: "platform", Type: String, Length: 16},
	{Name: "shop_id", Type: String, Length: 64},
	{Name: "order_id", Type: String, Length: 64},
	{Name: "order_time", Type: Timestamp},
	{Name: "currency", Type: String, Length: 8},
	money("buyer_paid"), money("commission_fee"), money("service_fee"), money("transaction_fee"), money("other_fees"),
	money("shipping_net"), money("voucher_seller"), money("voucher_platform"), money("adjustments"),
	money("net_payout"),
	{Name: "payout_status", Type: String, Length: 16},
	{Name: "payout_time", Type: Timestamp},
}

// NetPayoutMeaning says what each column of NetPayoutView means, whatever the
// platform (the warehouse reference prints it beside each part's Doc).
var NetPayoutMeaning = map[string]string{
	"platform":         "the platform of the part (`shopee`, `tiktok`, `lazada`)",
	"shop_id":          "the shop (seller) as text, as its orders table keys it",
	"order_id":         "the order as its orders table keys it",
	"order_time":       "when the order was placed (NULL until its orders stream stored it)",
	"currency":         "the currency of the amounts",
	"buyer_paid":       "what the buyer paid for the order",
	"commission_fee":   "the platform's commission (positive: charged to the seller)",
	"service_fee":      "service fees of the programmes the seller is in (positive: charged)",
	"transaction_fee":  "the payment processing fee (positive: charged)",
	"other_fees":       "every other fee and tax the platform deducts (positive: charged)",
	"shipping_net":     "shipping money to the seller: what the buyer and the platform paid for shipping minus what it cost (signed)",
	"voucher_seller":   "vouchers and coin cash-back funded by the seller (positive: cost to the seller)",
	"voucher_platform": "vouchers and coins funded by the platform (positive: paid by the platform, not the seller)",
	"adjustments":      "adjustments after settlement, returns after payout among them (signed)",
	"net_payout":       "what the seller gets for the order, the platform's own figure (signed)",
	"payout_status":    "`estimate` (can still change), `settled` (released to the seller's platform balance) or `paid` (paid to the seller's bank)",
	"payout_time":      "when the money was released or paid (NULL for an estimate)",
}

func money(name string) Column { return Column{Name: name, Type: Decimal, Precision: 18, Scale: 4} }

// NetPayoutTable describes NetPayoutView as a table ordered by platform, shop
// and order, for reading the view back (a sink's ReadTable); it is not a
// table to prepare or write.
func NetPayoutTable() *Table {
	cols := slices.Clone(NetPayoutColumns)
	for i := range cols {
		cols[i].Nullable = true
	}
	return &Table{Schema: "staging", Name: "order_net_payout", PrimaryKey: []string{"platform", "shop_id", "order_id"}, Columns: cols}
}
