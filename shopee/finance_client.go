package shopee

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Payment API paths.
const (
	PathEscrowList        = "/api/v2/payment/get_escrow_list"
	PathEscrowDetailBatch = "/api/v2/payment/get_escrow_detail_batch"
	PathWalletTxnList     = "/api/v2/payment/get_wallet_transaction_list"
)

// Limits of the payment endpoints.
const (
	// MaxEscrowBatch is the platform's limit of order_sn per
	// get_escrow_detail_batch call; EscrowBatch is what the source sends
	// (the limit: calls are the scarce resource a shop shares with its
	// orders, and an answer of 50 details stays well under a megabyte).
	MaxEscrowBatch = 50
	EscrowBatch    = MaxEscrowBatch
	// FinancePageSize is the page size of get_escrow_list and
	// get_wallet_transaction_list (their maximum).
	FinancePageSize = 100
	// FinanceWindow is the longest time range of one get_escrow_list or
	// get_wallet_transaction_list walk (the wallet's documented maximum;
	// the escrow list documents none, and the same window is used).
	FinanceWindow = 15 * 24 * time.Hour
)

// EscrowRelease is one row of get_escrow_list.
type EscrowRelease struct {
	OrderSN     string
	ReleaseTime int64
	// Raw is the row as sent.
	Raw json.RawMessage
}

// EscrowPage is one page of get_escrow_list.
type EscrowPage struct {
	Releases  []EscrowRelease
	More      bool
	RequestID string
}

func badAnswer(endpoint, requestID string, err error) error {
	return &APIError{Endpoint: endpoint, HTTPStatus: 200, Code: "invalid_response", Message: err.Error(), RequestID: requestID}
}

// GetEscrowList lists the escrows released in [from, to], page pageNo
// (from 1) of pageSize (1..100).
func (c *Client) GetEscrowList(ctx context.Context, from, to time.Time, pageNo, pageSize int) (EscrowPage, error) {
	q := url.Values{}
	q.Set("release_time_from", strconv.FormatInt(from.Unix(), 10))
	q.Set("release_time_to", strconv.FormatInt(to.Unix(), 10))
	q.Set("page_no", strconv.Itoa(pageNo))
	q.Set("page_size", strconv.Itoa(pageSize))
	env, err := c.shopGET(ctx, PathEscrowList, q)
	if err != nil {
		return EscrowPage{}, err
	}
	p, err := parseEscrowList(env.Response)
	if err != nil {
		return EscrowPage{}, badAnswer(PathEscrowList, env.RequestID, err)
	}
	p.RequestID = env.RequestID
	return p, nil
}

// parseEscrowList decodes get_escrow_list's response: more is required, and
// every row needs order_sn, a numeric payout_amount and a positive
// escrow_release_time.
func parseEscrowList(raw json.RawMessage) (EscrowPage, error) {
	if isNull(raw) {
		return EscrowPage{}, errors.New("response is null")
	}
	var r struct {
		More *bool              `json:"more"`
		List *[]json.RawMessage `json:"escrow_list"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return EscrowPage{}, fmt.Errorf("response: %w", err)
	}
	if r.More == nil {
		return EscrowPage{}, errors.New("response.more is missing")
	}
	p := EscrowPage{More: *r.More}
	if r.List == nil {
		if p.More {
			return EscrowPage{}, errors.New("response.escrow_list is missing")
		}
		return p, nil
	}
	for i, row := range *r.List {
		var e struct {
			OrderSN     *string         `json:"order_sn"`
			Payout      json.RawMessage `json:"payout_amount"`
			ReleaseTime *int64          `json:"escrow_release_time"`
		}
		if err := json.Unmarshal(row, &e); err != nil {
			return EscrowPage{}, fmt.Errorf("response.escrow_list[%d]: %w", i, err)
		}
		switch {
		case e.OrderSN == nil || *e.OrderSN == "":
			return EscrowPage{}, fmt.Errorf("response.escrow_list[%d].order_sn is missing", i)
		case !isNumber(e.Payout):
			return EscrowPage{}, fmt.Errorf("response.escrow_list[%d] (order %s): payout_amount is missing or not a number", i, *e.OrderSN)
		case e.ReleaseTime == nil || *e.ReleaseTime <= 0:
			return EscrowPage{}, fmt.Errorf("response.escrow_list[%d] (order %s): escrow_release_time is missing", i, *e.OrderSN)
		}
		p.Releases = append(p.Releases, EscrowRelease{OrderSN: *e.OrderSN, ReleaseTime: *e.ReleaseTime, Raw: row})
	}
	return p, nil
}

// EscrowDetails is the answer of get_escrow_detail_batch: the
// escrow_detail object of each order it returned, by order_sn.
type EscrowDetails struct {
	Details   map[string]json.RawMessage
	RequestID string
}

// GetEscrowDetailBatch fetches the escrow details of 1..50 orders (POST
// with a JSON body). The answer may leave orders out (the caller decides
// what that means); an order it was not asked for, an element without
// order_sn or without an order_income object is an error.
func (c *Client) GetEscrowDetailBatch(ctx context.Context, sns []string) (EscrowDetails, error) {
	if len(sns) == 0 || len(sns) > MaxEscrowBatch {
		return EscrowDetails{}, fmt.Errorf("shopee %s: %d order_sn (1..%d allowed)", PathEscrowDetailBatch, len(sns), MaxEscrowBatch)
	}
	body, err := json.Marshal(map[string][]string{"order_sn_list": sns})
	if err != nil {
		return EscrowDetails{}, err
	}
	env, err := c.shopCall(ctx, http.MethodPost, PathEscrowDetailBatch, nil, body)
	if err != nil {
		return EscrowDetails{}, err
	}
	asked := make(map[string]bool, len(sns))
	for _, sn := range sns {
		asked[sn] = true
	}
	d, err := parseEscrowDetails(env.Response, asked)
	if err != nil {
		return EscrowDetails{}, badAnswer(PathEscrowDetailBatch, env.RequestID, err)
	}
	d.RequestID = env.RequestID
	return d, nil
}

func parseEscrowDetails(raw json.RawMessage, asked map[string]bool) (EscrowDetails, error) {
	if isNull(raw) {
		return EscrowDetails{}, errors.New("response is null")
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return EscrowDetails{}, fmt.Errorf("response is not an array: %w", err)
	}
	d := EscrowDetails{Details: make(map[string]json.RawMessage, len(list))}
	for i, el := range list {
		var w struct {
			Detail  json.RawMessage `json:"escrow_detail"`
			OrderSN *string         `json:"order_sn"`
		}
		if err := json.Unmarshal(el, &w); err != nil {
			return EscrowDetails{}, fmt.Errorf("response[%d]: %w", i, err)
		}
		det := w.Detail
		if isNull(det) && w.OrderSN != nil {
			det = el // tolerated: the detail at the top level of the element
		}
		if isNull(det) {
			return EscrowDetails{}, fmt.Errorf("response[%d].escrow_detail is missing", i)
		}
		var h struct {
			OrderSN *string         `json:"order_sn"`
			Income  json.RawMessage `json:"order_income"`
		}
		if err := json.Unmarshal(det, &h); err != nil {
			return EscrowDetails{}, fmt.Errorf("response[%d].escrow_detail: %w", i, err)
		}
		if h.OrderSN == nil || *h.OrderSN == "" {
			return EscrowDetails{}, fmt.Errorf("response[%d].escrow_detail.order_sn is missing", i)
		}
		sn := *h.OrderSN
		if !asked[sn] {
			return EscrowDetails{}, fmt.Errorf("response[%d]: order %s was not asked for", i, sn)
		}
		if t := bytes.TrimSpace(h.Income); len(t) == 0 || t[0] != '{' {
			return EscrowDetails{}, fmt.Errorf("response[%d] (order %s): order_income is not an object", i, sn)
		}
		if prev, ok := d.Details[sn]; ok && !bytes.Equal(prev, det) {
			return EscrowDetails{}, fmt.Errorf("response[%d]: order %s answered twice, differently", i, sn)
		}
		d.Details[sn] = det
	}
	return d, nil
}

// WalletTxn is one row of get_wallet_transaction_list.
type WalletTxn struct {
	Type       string
	OrderSN    string
	CreateTime int64
	Raw        json.RawMessage
}

// WalletPage is one page of get_wallet_transaction_list.
type WalletPage struct {
	Txns      []WalletTxn
	More      bool
	RequestID string
}

// GetWalletTransactions lists the wallet transactions created in [from,
// to] (at most 15 days apart), page pageNo (0-based: the contract's
// reading of the ambiguous documentation) of pageSize (1..100).
func (c *Client) GetWalletTransactions(ctx context.Context, from, to time.Time, pageNo, pageSize int) (WalletPage, error) {
	q := url.Values{}
	q.Set("create_time_from", strconv.FormatInt(from.Unix(), 10))
	q.Set("create_time_to", strconv.FormatInt(to.Unix(), 10))
	q.Set("page_no", strconv.Itoa(pageNo))
	q.Set("page_size", strconv.Itoa(pageSize))
	env, err := c.shopGET(ctx, PathWalletTxnList, q)
	if err != nil {
		return WalletPage{}, err
	}
	p, err := parseWalletPage(env.Response)
	if err != nil {
		return WalletPage{}, badAnswer(PathWalletTxnList, env.RequestID, err)
	}
	p.RequestID = env.RequestID
	return p, nil
}

// parseWalletPage decodes get_wallet_transaction_list's response: more is
// required, every transaction needs transaction_type, a numeric amount
// and a positive create_time.
func parseWalletPage(raw json.RawMessage) (WalletPage, error) {
	if isNull(raw) {
		return WalletPage{}, errors.New("response is null")
	}
	var r struct {
		More *bool              `json:"more"`
		List *[]json.RawMessage `json:"transaction_list"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return WalletPage{}, fmt.Errorf("response: %w", err)
	}
	if r.More == nil {
		return WalletPage{}, errors.New("response.more is missing")
	}
	p := WalletPage{More: *r.More}
	if r.List == nil {
		if p.More {
			return WalletPage{}, errors.New("response.transaction_list is missing")
		}
		return p, nil
	}
	for i, row := range *r.List {
		var t struct {
			Type       *string         `json:"transaction_type"`
			Amount     json.RawMessage `json:"amount"`
			CreateTime *int64          `json:"create_time"`
			OrderSN    string          `json:"order_sn"`
		}
		if err := json.Unmarshal(row, &t); err != nil {
			return WalletPage{}, fmt.Errorf("response.transaction_list[%d]: %w", i, err)
		}
		switch {
		case t.Type == nil || *t.Type == "":
			return WalletPage{}, fmt.Errorf("response.transaction_list[%d].transaction_type is missing", i)
		case !isNumber(t.Amount):
			return WalletPage{}, fmt.Errorf("response.transaction_list[%d].amount is missing or not a number", i)
		case t.CreateTime == nil || *t.CreateTime <= 0:
			return WalletPage{}, fmt.Errorf("response.transaction_list[%d].create_time is missing", i)
		}
		p.Txns = append(p.Txns, WalletTxn{Type: *t.Type, OrderSN: t.OrderSN, CreateTime: *t.CreateTime, Raw: row})
	}
	return p, nil
}

// isNumber reports whether raw is a JSON number.
func isNumber(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && (t[0] == '-' || t[0] >= '0' && t[0] <= '9')
}
