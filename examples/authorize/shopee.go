package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strconv"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
)

type shopeeOptions struct {
	host, partnerKey  string
	shopID, partnerID int64
}

func (o *shopeeOptions) flags(fs *flag.FlagSet) {
	fs.Int64Var(&o.shopID, "shop-id", 0, "Shopee: shop to authorise (default $SHOPEE_SHOP_ID)")
	fs.Int64Var(&o.partnerID, "partner-id", 0, "Shopee: partner id (default $SHOPEE_PARTNER_ID)")
	fs.StringVar(&o.partnerKey, "partner-key", "", "Shopee: partner key (default $SHOPEE_PARTNER_KEY)")
	fs.StringVar(&o.host, "host", "", "Shopee: API host (default $SHOPEE_HOST, else "+shopee.DefaultHost+")")
}

// shopeeAuth authorises one Shopee shop (spec §2.4): the partner's
// auth_partner link; the redirect carries code and shop_id.
type shopeeAuth struct{ o shopeeOptions }

func (o shopeeOptions) authorizer(getenv func(string) string) (authorizer, error) {
	num := func(flagVal int64, env string) (int64, error) {
		if flagVal != 0 {
			return flagVal, nil
		}
		v := getenv(env)
		if v == "" {
			return 0, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %q is not an integer", env, v)
		}
		return n, nil
	}
	var err error
	if o.shopID, err = num(o.shopID, "SHOPEE_SHOP_ID"); err != nil {
		return nil, err
	}
	if o.partnerID, err = num(o.partnerID, "SHOPEE_PARTNER_ID"); err != nil {
		return nil, err
	}
	if o.partnerKey == "" {
		o.partnerKey = getenv("SHOPEE_PARTNER_KEY")
	}
	if o.host == "" {
		o.host = getenv("SHOPEE_HOST")
	}
	if o.shopID <= 0 || o.partnerID <= 0 || o.partnerKey == "" {
		return nil, errors.New("-shop-id, -partner-id and -partner-key (or SHOPEE_SHOP_ID, SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY) are required")
	}
	a := &shopeeAuth{o: o}
	if _, err := a.clientFor(nil); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *shopeeAuth) who() string { return fmt.Sprintf("shopee shop %d", a.o.shopID) }

// clientFor returns a client on the token store (nil: links only).
func (a *shopeeAuth) clientFor(ts *tokenStore) (*shopee.Client, error) {
	cfg := shopee.Config{Host: a.o.host, PartnerID: a.o.partnerID, PartnerKey: a.o.partnerKey, ShopID: a.o.shopID,
		Logger: quiet, HTTP: connector.HTTPConfig{Logger: quiet}}
	if ts != nil {
		cfg.Tokens = ts
	}
	return shopee.NewClient(cfg)
}

func (a *shopeeAuth) link(redirect string) string {
	c, err := a.clientFor(nil)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return c.AuthLink(redirect)
}

func (a *shopeeAuth) redirected(q url.Values) (string, error) {
	if sid := q.Get("shop_id"); sid != "" && sid != strconv.FormatInt(a.o.shopID, 10) {
		return "", fmt.Errorf("this authorisation is for shop %s, not shop %d being authorised", sid, a.o.shopID)
	}
	return q.Get("code"), nil
}

func (a *shopeeAuth) exchange(ctx context.Context, code string, ts *tokenStore) (string, error) {
	c, err := a.clientFor(ts)
	if err != nil {
		return "", err
	}
	return "", c.Authorize(ctx, code)
}
