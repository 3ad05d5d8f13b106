package main

import (
	"context"
	"errors"
	"net/url"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada"
)

// lazadaAuth authorises a Lazada seller: the code of the redirect becomes a
// token pair (auth/token/create) stored for the seller_id of the answer.
type lazadaAuth struct {
	getenv func(string) string
	client *lazada.Client
}

func lazadaAuthorizer(getenv func(string) string) (authorizer, error) {
	if getenv("LAZADA_APP_KEY") == "" || getenv("LAZADA_APP_SECRET") == "" {
		return nil, errors.New("LAZADA_APP_KEY and LAZADA_APP_SECRET are required")
	}
	// The client that builds the link; exchange makes one with the store.
	c, err := newLazadaClient(getenv, nil)
	if err != nil {
		return nil, err
	}
	return &lazadaAuth{getenv: getenv, client: c}, nil
}

func newLazadaClient(getenv func(string) string, ts *tokenStore) (*lazada.Client, error) {
	cfg := lazada.Config{AppKey: getenv("LAZADA_APP_KEY"), AppSecret: getenv("LAZADA_APP_SECRET"),
		AuthURL: getenv("LAZADA_AUTH_BASE_URL"), SellerID: getenv("LAZADA_SELLER_ID"), Country: getenv("LAZADA_COUNTRY"),
		BaseURL: getenv("LAZADA_API_BASE_URL"), Logger: quiet, HTTP: connector.HTTPConfig{Logger: quiet}}
	if ts != nil {
		cfg.Tokens = ts.Store
	}
	return lazada.NewClient(cfg)
}

func (a *lazadaAuth) who() string {
	if id := a.getenv("LAZADA_SELLER_ID"); id != "" {
		return "lazada seller " + id
	}
	return "the lazada seller"
}

func (a *lazadaAuth) link(redirect string) string { return a.client.AuthLink(redirect) }

func (a *lazadaAuth) redirected(q url.Values) (string, error) { return q.Get("code"), nil }

func (a *lazadaAuth) exchange(ctx context.Context, code string, ts *tokenStore) (string, error) {
	c, err := newLazadaClient(a.getenv, ts)
	if err != nil {
		return "", err
	}
	ti, err := c.Authorize(ctx, code)
	if err != nil {
		return "", err
	}
	return " (lazada seller " + ti.SellerID + ")", nil
}
