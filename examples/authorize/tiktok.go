package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tokenstore"
)

// TikTok Shop's seller authorisation hosts (spec §1.1).
const (
	TikTokAuthorizeURL   = "https://services.tiktokshop.com"
	TikTokAuthorizeURLUS = "https://services.us.tiktokshop.com"
	// tiktokAuthorizePath is the consent page of the link and
	// tiktokTokenGet the code exchange on the token host.
	tiktokAuthorizePath = "/open/authorize"
	tiktokTokenGet      = "/api/v2/token/get"
)

type tiktokOptions struct {
	appKey, appSecret, serviceID, shop string
	authorizeURL, authURL, apiURL      string
}

func (o *tiktokOptions) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.appKey, "app-key", "", "TikTok: app key (default $TIKTOK_APP_KEY)")
	fs.StringVar(&o.appSecret, "app-secret", "", "TikTok: app secret (default $TIKTOK_APP_SECRET)")
	fs.StringVar(&o.serviceID, "service-id", "", "TikTok: the app's service id of the authorisation link, from Partner Center (default $TIKTOK_SERVICE_ID)")
	fs.StringVar(&o.shop, "shop", "", "TikTok: account name the pair is stored under, the sync's TIKTOK_SHOP_NAME or accounts-file name; with a token for several shops, the shop's id, code or name (default $TIKTOK_SHOP_NAME, else \"default\")")
	fs.StringVar(&o.authorizeURL, "authorize-url", "", "TikTok: host of the authorisation link (default $TIKTOK_AUTHORIZE_URL, else "+TikTokAuthorizeURL+"; US shops "+TikTokAuthorizeURLUS+")")
	fs.StringVar(&o.authURL, "auth-url", "", "TikTok: token host (default $TIKTOK_AUTH_BASE_URL, else "+tiktok.DefaultAuthURL+")")
	fs.StringVar(&o.apiURL, "api-url", "", "TikTok: Open API host (default $TIKTOK_SHOP_API_BASE_URL, else "+tiktok.DefaultBaseURL+")")
}

// tiktokAuth authorises one TikTok Shop account (spec §1.4): the service
// authorisation link with a random state; the redirect carries code (the
// auth_code) and the state; GET token/get with grant_type=authorized_code.
type tiktokAuth struct {
	o     tiktokOptions
	state string
}

func (o tiktokOptions) authorizer(getenv func(string) string) (authorizer, error) {
	def := func(v *string, env, fallback string) {
		if *v == "" {
			*v = getenv(env)
		}
		if *v == "" {
			*v = fallback
		}
	}
	def(&o.appKey, "TIKTOK_APP_KEY", "")
	def(&o.appSecret, "TIKTOK_APP_SECRET", "")
	def(&o.serviceID, "TIKTOK_SERVICE_ID", "")
	def(&o.shop, "TIKTOK_SHOP_NAME", "default")
	def(&o.authorizeURL, "TIKTOK_AUTHORIZE_URL", TikTokAuthorizeURL)
	def(&o.authURL, "TIKTOK_AUTH_BASE_URL", tiktok.DefaultAuthURL)
	def(&o.apiURL, "TIKTOK_SHOP_API_BASE_URL", tiktok.DefaultBaseURL)
	if o.appKey == "" || o.appSecret == "" {
		return nil, errors.New("-app-key and -app-secret (or TIKTOK_APP_KEY, TIKTOK_APP_SECRET) are required")
	}
	for _, u := range []struct{ name, v string }{{"authorize URL", o.authorizeURL}, {"auth URL", o.authURL}, {"API URL", o.apiURL}} {
		p, err := url.Parse(u.v)
		if err != nil || p.Scheme == "" || p.Host == "" {
			return nil, fmt.Errorf("TikTok %s %q is not an absolute URL", u.name, u.v)
		}
	}
	o.authorizeURL, o.authURL = strings.TrimRight(o.authorizeURL, "/"), strings.TrimRight(o.authURL, "/")
	return &tiktokAuth{o: o, state: newState()}, nil
}

func (a *tiktokAuth) who() string { return "tiktok shop " + a.o.shop }

func (a *tiktokAuth) link(string) string {
	if a.o.serviceID == "" {
		return "(set -service-id or TIKTOK_SERVICE_ID: the service id of the app in Partner Center; or open the app's authorisation link from Partner Center and paste the redirect URL here)"
	}
	q := url.Values{"service_id": {a.o.serviceID}, "state": {a.state}}
	return a.o.authorizeURL + tiktokAuthorizePath + "?" + q.Encode()
}

// redirected refuses a redirect whose state is not this link's (a
// redirect of another authorisation, or forged). A pasted URL without a
// state (a link opened from Partner Center) is taken as it is.
func (a *tiktokAuth) redirected(q url.Values) (string, error) {
	if st, ok := q["state"]; ok && (len(st) != 1 || st[0] != a.state) {
		return "", errors.New("this redirect is not of the authorisation link printed here (its state differs); open the link printed here")
	}
	return q.Get("code"), nil
}

// exchange calls token/get, finds the shop the new token is authorised for
// (the only one, or the one whose id, code or name is -shop), then stores
// the pair under the account name and the shop cipher beside it.
func (a *tiktokAuth) exchange(ctx context.Context, code string, ts *tokenStore) (string, error) {
	hc := connector.NewClient(connector.HTTPConfig{Logger: quiet})
	hc.AddSecret(a.o.appSecret)
	hc.AddSecret(code)
	q := url.Values{"app_key": {a.o.appKey}, "app_secret": {a.o.appSecret}, "auth_code": {code}, "grant_type": {"authorized_code"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.o.authURL+tiktokTokenGet+"?"+q.Encode(), nil)
	if err != nil {
		return "", errors.New("tiktok token/get: bad auth URL")
	}
	resp, err := hc.Do(ctx, req)
	if err != nil {
		return "", fmt.Errorf("tiktok token/get: %w", err)
	}
	data, _, err := tiktok.DecodeEnvelope(tiktokTokenGet, resp.StatusCode, resp.Body)
	if err != nil {
		return "", fmt.Errorf("%s: exchange the authorisation code: %s", a.who(), hc.Redact(err.Error()))
	}
	var r struct {
		AccessToken          string `json:"access_token"`
		AccessTokenExpireIn  int64  `json:"access_token_expire_in"`
		RefreshToken         string `json:"refresh_token"`
		RefreshTokenExpireIn int64  `json:"refresh_token_expire_in"`
	}
	if err := json.Unmarshal(data, &r); err != nil || r.AccessToken == "" || r.RefreshToken == "" {
		return "", fmt.Errorf("%s: token/get answer without access_token and refresh_token", a.who())
	}
	tok := tokenstore.Token{Platform: tiktok.PlatformName, Account: a.o.shop, AccessToken: r.AccessToken, RefreshToken: r.RefreshToken}
	// Both are absolute Unix times.
	if r.AccessTokenExpireIn > 0 {
		tok.AccessExpiresAt = time.Unix(r.AccessTokenExpireIn, 0).UTC()
	}
	if r.RefreshTokenExpireIn > 0 {
		tok.RefreshExpiresAt = time.Unix(r.RefreshTokenExpireIn, 0).UTC()
	}

	// Resolve the shop with the new token before storing it, so that an
	// ambiguous -shop stores nothing under a wrong name.
	mem := &tokenstore.Memory{}
	if err := tokenstore.StoreAuthorized(ctx, mem, tok); err != nil {
		return "", err
	}
	c, err := tiktok.NewClient(tiktok.Config{BaseURL: a.o.apiURL, AuthURL: a.o.authURL, AppKey: a.o.appKey, AppSecret: a.o.appSecret,
		Shop: a.o.shop, Tokens: mem, Logger: quiet, HTTP: connector.HTTPConfig{Logger: quiet}})
	if err != nil {
		return "", err
	}
	shops, err := c.Shops(ctx)
	if err != nil {
		return "", fmt.Errorf("%s: list the shops of the new token: %w", a.who(), err)
	}
	cipher, err := c.ShopCipher(ctx)
	if err != nil {
		var names []string
		for _, s := range shops {
			names = append(names, fmt.Sprintf("%s (id %s, code %s)", s.Name, s.ID, s.Code))
		}
		return "", fmt.Errorf("%w; the token's shops: %s; name the one to store with -shop (its id, code or name); the code is spent, authorise again",
			err, strings.Join(names, ", "))
	}
	var shop tiktok.Shop
	for _, s := range shops {
		if s.Cipher == cipher {
			shop = s
		}
	}
	if err := tokenstore.StoreAuthorized(ctx, ts, tok); err != nil {
		return "", err
	}
	if err := ts.setShopCipher(ctx, tiktok.PlatformName, a.o.shop, cipher); err != nil {
		return "", err
	}
	return fmt.Sprintf(" (shop %q, id %s, region %s; its shop cipher is stored beside the pair; the sync job finds the pair under TIKTOK_SHOP_NAME=%s)",
		shop.Name, shop.ID, shop.Region, a.o.shop), nil
}
