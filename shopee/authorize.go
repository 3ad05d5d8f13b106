package shopee

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/facolos/etl/tokenstore"
)

// AuthLink returns the authorisation link a seller opens to authorise the
// partner app for a shop (spec §2.4): {host}/api/v2/shop/auth_partner with
// the public signature. After approval the platform redirects the browser
// to redirect?code=..&shop_id=.. . The link is valid about 5 minutes (its
// timestamp).
func (c *Client) AuthLink(redirect string) string {
	ts := time.Now().Unix()
	q := url.Values{}
	q.Set("partner_id", strconv.FormatInt(c.cfg.PartnerID, 10))
	q.Set("timestamp", strconv.FormatInt(ts, 10))
	q.Set("sign", Sign(c.cfg.PartnerKey, PublicBase(c.cfg.PartnerID, PathAuthPartner, ts)))
	q.Set("redirect", redirect)
	return c.cfg.Host + PathAuthPartner + "?" + q.Encode()
}

// ExchangeCode exchanges the code of an authorisation redirect (single use,
// valid 10 minutes) for the shop's first token pair
// (POST /api/v2/auth/token/get).
func (c *Client) ExchangeCode(ctx context.Context, code string) (tokenstore.Token, error) {
	c.http.AddSecret(code)
	ts := time.Now().Unix()
	q := url.Values{}
	q.Set("partner_id", strconv.FormatInt(c.cfg.PartnerID, 10))
	q.Set("timestamp", strconv.FormatInt(ts, 10))
	q.Set("sign", Sign(c.cfg.PartnerKey, PublicBase(c.cfg.PartnerID, PathTokenGet, ts)))
	body, _ := json.Marshal(map[string]any{"code": code, "partner_id": c.cfg.PartnerID, "shop_id": c.cfg.ShopID})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.Host+PathTokenGet+"?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return tokenstore.Token{}, fmt.Errorf("shopee token/get: %s", c.http.Redact(err.Error()))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		return tokenstore.Token{}, fmt.Errorf("shopee token/get: %w", err)
	}
	c.observe(resp.Header)
	tok, err := c.tokenAnswer(PathTokenGet, resp)
	if err != nil {
		return tokenstore.Token{}, fmt.Errorf("shopee shop %d: exchange the authorisation code: %w", c.cfg.ShopID, err)
	}
	tok.Platform, tok.Account = "shopee", strconv.FormatInt(c.cfg.ShopID, 10)
	return tok, nil
}

// Authorize exchanges the code of an authorisation redirect and stores the
// new pair in the client's token store, clearing a "needs
// re-authorisation" mark (see tokenstore.StoreAuthorized).
func (c *Client) Authorize(ctx context.Context, code string) error {
	tok, err := c.ExchangeCode(ctx, code)
	if err != nil {
		return err
	}
	return tokenstore.StoreAuthorized(ctx, c.cfg.Tokens, tok)
}
