package tiktok

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/facolos/etl/connector"
)

// Finance API paths (finance.md §3: 202309 for the statements and
// withdrawals lists, 202501 for the statement transactions; the 202309
// transaction endpoints are retired). PathStatementTransactions is the
// pattern its calls are counted under (APICalls, metrics): the real path
// carries the statement id.
const (
	PathStatements            = "/finance/202309/statements"
	PathStatementTransactions = "/finance/202501/statements/{statement_id}/statement_transactions"
	PathWithdrawals           = "/finance/202309/withdrawals"
)

// MaxFinancePageSize is the largest page of the finance lists.
const MaxFinancePageSize = 100

// WithdrawalTypes are the withdrawal record types the source asks for
// (all of them).
var WithdrawalTypes = []string{"WITHDRAW", "SETTLE", "TRANSFER", "REVERSE"}

// badAnswer is an answer of unexpected shape (errors.Is ErrBadResponse).
func badAnswer(endpoint, requestID, format string, args ...any) error {
	return &APIError{Endpoint: endpoint, HTTPStatus: http.StatusOK, Message: fmt.Sprintf(format, args...), RequestID: requestID}
}

// decodeData decodes an envelope's data object keeping numbers exact.
func decodeData(endpoint, rid string, data json.RawMessage) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		return nil, badAnswer(endpoint, rid, "data is not an object")
	}
	return m, nil
}

// pageToken reads next_page_token, which must be present (a string; ""
// on the last page) and must move.
func pageToken(endpoint, rid string, m map[string]json.RawMessage, sent string) (string, error) {
	raw, ok := m["next_page_token"]
	if !ok {
		return "", badAnswer(endpoint, rid, "data.next_page_token is missing")
	}
	var tok string
	if err := json.Unmarshal(raw, &tok); err != nil {
		return "", badAnswer(endpoint, rid, "data.next_page_token is not a string")
	}
	if tok != "" && tok == sent {
		return "", badAnswer(endpoint, rid, "next_page_token did not move (the page token sent came back)")
	}
	return tok, nil
}

// list reads the array under key: absent or null is empty, anything else
// but an array is an error.
func list(endpoint, rid string, m map[string]json.RawMessage, key string) ([]json.RawMessage, error) {
	raw, ok := m[key]
	if !ok || isNull(raw) {
		return nil, nil
	}
	var out []json.RawMessage
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, badAnswer(endpoint, rid, "data.%s is not a list", key)
	}
	return out, nil
}

// count reads total_count (required, a non-negative integer).
func count(endpoint, rid string, m map[string]json.RawMessage) (int, error) {
	var n *int
	if err := json.Unmarshal(m["total_count"], &n); err != nil || n == nil || *n < 0 {
		return 0, badAnswer(endpoint, rid, "data.total_count is missing or not a count")
	}
	return *n, nil
}

// idOf reads an element's "id" (a non-empty string) and the integer field
// timeKey when it is not "" (required, positive).
func idOf(raw json.RawMessage, timeKey string) (id string, at int64, err error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return "", 0, fmt.Errorf("not an object")
	}
	if err := json.Unmarshal(m["id"], &id); err != nil {
		// Tolerated: an id sent as a JSON number, kept as its digits.
		var n json.Number
		if json.Unmarshal(m["id"], &n) == nil {
			if _, err := strconv.ParseUint(n.String(), 10, 64); err == nil {
				id = n.String()
			}
		}
	}
	if id == "" {
		return "", 0, fmt.Errorf("id is missing or not a string")
	}
	if timeKey != "" {
		n, err := strconv.ParseInt(string(bytes.TrimSpace(m[timeKey])), 10, 64)
		if err != nil || n <= 0 {
			return id, 0, fmt.Errorf("%s is missing or not a Unix time", timeKey)
		}
		at = n
	}
	return id, at, nil
}

// stringField reads an optional string field ("" when absent, null or
// not a string).
func stringField(raw json.RawMessage, key string) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	var s string
	_ = json.Unmarshal(m[key], &s)
	return s
}

// financePage sends one page request of a finance list (q plus page_size
// and page_token) and returns its data object, the request id and the
// next_page_token (present, and moved).
func (c *Client) financePage(ctx context.Context, path, endpoint string, q url.Values, token string, pageSize int) (map[string]json.RawMessage, string, string, error) {
	q.Set("page_size", strconv.Itoa(pageSize))
	if token != "" {
		q.Set("page_token", token)
	}
	data, rid, err := c.call(connector.WithEndpoint(ctx, endpoint), http.MethodGet, path, q, nil, true)
	if err != nil {
		return nil, rid, "", err
	}
	m, err := decodeData(endpoint, rid, data)
	if err != nil {
		return nil, rid, "", err
	}
	next, err := pageToken(endpoint, rid, m, token)
	return m, rid, next, err
}

// StatementRow is one statement of GET /finance/202309/statements.
type StatementRow struct {
	ID            string
	Time          int64
	PaymentStatus string
	// Settlement is settlement_amount as sent ("" when it is not a string).
	Settlement string
	Raw        json.RawMessage
}

// StatementsPage is one page of the statements list.
type StatementsPage struct {
	Statements    []StatementRow
	NextPageToken string
	RequestID     string
}

// GetStatements reads one page of GET /finance/202309/statements:
// statement_time in [ge, lt), sorted by statement_time ascending. A page
// without next_page_token, with a token equal to the one sent, or with
// fewer statements than pageSize and a next page, and a statement without
// id or statement_time, are errors (ErrBadResponse).
func (c *Client) GetStatements(ctx context.Context, ge, lt int64, token string, pageSize int) (StatementsPage, error) {
	q := url.Values{}
	q.Set("sort_field", "statement_time")
	q.Set("sort_order", "ASC")
	q.Set("statement_time_ge", strconv.FormatInt(ge, 10))
	q.Set("statement_time_lt", strconv.FormatInt(lt, 10))
	m, rid, next, err := c.financePage(ctx, PathStatements, PathStatements, q, token, pageSize)
	if err != nil {
		return StatementsPage{}, err
	}
	p := StatementsPage{RequestID: rid, NextPageToken: next}
	rows, err := list(PathStatements, rid, m, "statements")
	if err != nil {
		return p, err
	}
	if p.NextPageToken != "" && len(rows) < pageSize {
		return p, badAnswer(PathStatements, rid, "page of %d statements (page_size %d) ends early: a next page follows", len(rows), pageSize)
	}
	for i, raw := range rows {
		id, at, err := idOf(raw, "statement_time")
		if err != nil {
			return p, badAnswer(PathStatements, rid, "data.statements[%d] (statement %q): %v", i, id, err)
		}
		p.Statements = append(p.Statements, StatementRow{ID: id, Time: at, PaymentStatus: stringField(raw, "payment_status"),
			Settlement: stringField(raw, "settlement_amount"), Raw: raw})
	}
	return p, nil
}

// TransactionsPage is one page of a statement's transactions.
type TransactionsPage struct {
	// Currency and TotalCount are the statement's.
	Currency      string
	TotalCount    int
	Transactions  []TransactionRow
	NextPageToken string
	RequestID     string
}

// TransactionRow is one statement transaction, as sent.
type TransactionRow struct {
	ID  string
	Raw json.RawMessage
}

// GetStatementTransactions reads one page of GET
// /finance/202501/statements/{statement_id}/statement_transactions (sorted
// by order_create_time ascending). An answer that names another statement,
// lacks total_count or next_page_token, sends back the page token it got,
// an empty page with a next page, or a transaction without id, is an
// error (ErrBadResponse).
func (c *Client) GetStatementTransactions(ctx context.Context, statementID, token string, pageSize int) (TransactionsPage, error) {
	q := url.Values{}
	q.Set("sort_field", "order_create_time")
	q.Set("sort_order", "ASC")
	ep := PathStatementTransactions
	path := "/finance/202501/statements/" + url.PathEscape(statementID) + "/statement_transactions"
	m, rid, next, err := c.financePage(ctx, path, ep, q, token, pageSize)
	if err != nil {
		return TransactionsPage{}, err
	}
	p := TransactionsPage{RequestID: rid, NextPageToken: next}
	var id string
	if err := json.Unmarshal(m["id"], &id); err != nil || id != statementID {
		return p, badAnswer(ep, rid, "statement %s: data.id is %s", statementID, strings.TrimSpace(string(m["id"])))
	}
	_ = json.Unmarshal(m["currency"], &p.Currency)
	if p.TotalCount, err = count(ep, rid, m); err != nil {
		return p, err
	}
	rows, err := list(ep, rid, m, "transactions")
	if err != nil {
		return p, err
	}
	if p.NextPageToken != "" && len(rows) == 0 {
		return p, badAnswer(ep, rid, "statement %s: empty page with a next_page_token", statementID)
	}
	for i, raw := range rows {
		tid, _, err := idOf(raw, "")
		if err != nil {
			return p, badAnswer(ep, rid, "statement %s: data.transactions[%d]: %v", statementID, i, err)
		}
		p.Transactions = append(p.Transactions, TransactionRow{ID: tid, Raw: raw})
	}
	return p, nil
}

// WithdrawalRow is one withdrawal record, as sent.
type WithdrawalRow struct {
	ID         string
	Status     string
	CreateTime int64
	Raw        json.RawMessage
}

// WithdrawalsPage is one page of the withdrawals list.
type WithdrawalsPage struct {
	Withdrawals   []WithdrawalRow
	TotalCount    int
	NextPageToken string
	RequestID     string
}

// GetWithdrawals reads one page of GET /finance/202309/withdrawals of
// every type, create_time in [ge, lt). Its checks are those of
// GetStatementTransactions; a record needs id and create_time.
func (c *Client) GetWithdrawals(ctx context.Context, ge, lt int64, token string, pageSize int) (WithdrawalsPage, error) {
	q := url.Values{}
	q.Set("types", strings.Join(WithdrawalTypes, ","))
	q.Set("create_time_ge", strconv.FormatInt(ge, 10))
	q.Set("create_time_lt", strconv.FormatInt(lt, 10))
	m, rid, next, err := c.financePage(ctx, PathWithdrawals, PathWithdrawals, q, token, pageSize)
	if err != nil {
		return WithdrawalsPage{}, err
	}
	p := WithdrawalsPage{RequestID: rid, NextPageToken: next}
	if p.TotalCount, err = count(PathWithdrawals, rid, m); err != nil {
		return p, err
	}
	rows, err := list(PathWithdrawals, rid, m, "withdrawals")
	if err != nil {
		return p, err
	}
	if p.NextPageToken != "" && len(rows) == 0 {
		return p, badAnswer(PathWithdrawals, rid, "empty page with a next_page_token")
	}
	for i, raw := range rows {
		id, at, err := idOf(raw, "create_time")
		if err != nil {
			return p, badAnswer(PathWithdrawals, rid, "data.withdrawals[%d] (withdrawal %q): %v", i, id, err)
		}
		p.Withdrawals = append(p.Withdrawals, WithdrawalRow{ID: id, Status: stringField(raw, "status"), CreateTime: at, Raw: raw})
	}
	return p, nil
}
