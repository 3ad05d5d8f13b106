// Command authorize re-authorises a platform account when its refresh token
// is dead (a sync fails with "needs re-authorisation"): it prints the
// platform's authorisation link, takes the code from the redirect — caught
// by a small listener on the redirect address, pasted on stdin (the code or
// the whole redirect URL), or given with -code — exchanges it for a new
// token pair and stores the pair in the warehouse's token table, where
// every sync process picks it up.
//
//	go run ./examples/authorize -platform shopee -shop-id 123456 -sink sqlite:facolos.db
//	go run ./examples/authorize -platform lazada -sink sqlite:facolos.db
//
// Credentials come from the environment (or .env) as for examples/sync:
// SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY, SHOPEE_HOST; LAZADA_APP_KEY,
// LAZADA_APP_SECRET, LAZADA_AUTH_BASE_URL (and LAZADA_SELLER_ID, to refuse
// a code of another seller). The redirect URL
// (-redirect) must be one the partner app allows; by default
// http://127.0.0.1:8765/callback, served by this command.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/tokenstore"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/joho/godotenv"
	_ "github.com/microsoft/go-mssqldb"
	_ "modernc.org/sqlite"
)

func main() {
	_ = godotenv.Load()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "authorize:", err)
		os.Exit(1)
	}
}

type options struct {
	platform, sink, redirect, code, host, partnerKey string
	shopID, partnerID                                int64
	timeout                                          time.Duration
	// who names the account in the messages ("shop 123456").
	who string
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	var o options
	fs := flag.NewFlagSet("authorize", flag.ContinueOnError)
	fs.StringVar(&o.platform, "platform", "shopee", "platform to authorise (shopee, lazada)")
	fs.StringVar(&o.sink, "sink", "", "warehouse URL holding the token table: sqlite:PATH, postgres://… or sqlserver://… (default $ETL_SINK, else sqlite:facolos.db)")
	fs.StringVar(&o.redirect, "redirect", "http://127.0.0.1:8765/callback", "redirect URL of the authorisation; when it is on 127.0.0.1 or localhost this command listens there")
	fs.StringVar(&o.code, "code", "", "the code of the redirect, when you already have it")
	fs.Int64Var(&o.shopID, "shop-id", 0, "shop to authorise (default $SHOPEE_SHOP_ID)")
	fs.Int64Var(&o.partnerID, "partner-id", 0, "partner id (default $SHOPEE_PARTNER_ID)")
	fs.StringVar(&o.partnerKey, "partner-key", "", "partner key (default $SHOPEE_PARTNER_KEY)")
	fs.StringVar(&o.host, "host", "", "API host (default $SHOPEE_HOST, else "+shopee.DefaultHost+")")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the redirect (the code is valid 10 minutes)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.platform != "shopee" && o.platform != "lazada" {
		return fmt.Errorf("-platform %q: only shopee and lazada are supported so far", o.platform)
	}
	if o.sink == "" {
		o.sink = getenv("ETL_SINK")
	}
	if o.sink == "" {
		o.sink = "sqlite:facolos.db"
	}
	red, err := url.Parse(o.redirect)
	if err != nil || red.Scheme == "" || red.Host == "" {
		return fmt.Errorf("-redirect %q is not an absolute URL", o.redirect)
	}
	if o.timeout <= 0 {
		return errors.New("-timeout must be positive")
	}
	if o.platform == "lazada" {
		return runLazada(ctx, o, red, getenv, stdin, stdout)
	}
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
	if o.shopID, err = num(o.shopID, "SHOPEE_SHOP_ID"); err != nil {
		return err
	}
	if o.partnerID, err = num(o.partnerID, "SHOPEE_PARTNER_ID"); err != nil {
		return err
	}
	if o.partnerKey == "" {
		o.partnerKey = getenv("SHOPEE_PARTNER_KEY")
	}
	if o.host == "" {
		o.host = getenv("SHOPEE_HOST")
	}
	if o.shopID <= 0 || o.partnerID <= 0 || o.partnerKey == "" {
		return errors.New("-shop-id, -partner-id and -partner-key (or SHOPEE_SHOP_ID, SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY) are required")
	}
	o.who = "shop " + strconv.FormatInt(o.shopID, 10)

	store, closeStore, err := openTokenStore(ctx, o.sink)
	if err != nil {
		return err
	}
	defer closeStore()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	client, err := shopee.NewClient(shopee.Config{Host: o.host, PartnerID: o.partnerID, PartnerKey: o.partnerKey, ShopID: o.shopID,
		Tokens: store, Logger: quiet, HTTP: connector.HTTPConfig{Logger: quiet}})
	if err != nil {
		return err
	}

	code := o.code
	if code == "" {
		if code, err = waitForCode(ctx, o, red, client.AuthLink(o.redirect), stdin, stdout); err != nil {
			return err
		}
	}
	if err := client.Authorize(ctx, code); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Stored a new token pair for shopee shop %d in %s; syncing can resume.\n", o.shopID, connector.Redact(o.sink))
	return nil
}

// runLazada authorises a Lazada seller: the code of the redirect becomes a
// token pair stored for the seller_id of the answer.
func runLazada(ctx context.Context, o options, red *url.URL, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if getenv("LAZADA_APP_KEY") == "" || getenv("LAZADA_APP_SECRET") == "" {
		return errors.New("LAZADA_APP_KEY and LAZADA_APP_SECRET are required")
	}
	store, closeStore, err := openTokenStore(ctx, o.sink)
	if err != nil {
		return err
	}
	defer closeStore()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	client, err := lazada.NewClient(lazada.Config{AppKey: getenv("LAZADA_APP_KEY"), AppSecret: getenv("LAZADA_APP_SECRET"),
		AuthURL: getenv("LAZADA_AUTH_BASE_URL"), SellerID: getenv("LAZADA_SELLER_ID"), Country: getenv("LAZADA_COUNTRY"),
		BaseURL: getenv("LAZADA_API_BASE_URL"), Tokens: store, Logger: quiet, HTTP: connector.HTTPConfig{Logger: quiet}})
	if err != nil {
		return err
	}
	o.who = "the Lazada seller"
	if id := getenv("LAZADA_SELLER_ID"); id != "" {
		o.who = "Lazada seller " + id
	}
	code := o.code
	if code == "" {
		if code, err = waitForCode(ctx, o, red, client.AuthLink(o.redirect), stdin, stdout); err != nil {
			return err
		}
	}
	ti, err := client.Authorize(ctx, code)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Stored a new token pair for lazada seller %s in %s; syncing can resume.\n", ti.SellerID, connector.Redact(o.sink))
	return nil
}

// waitForCode prints the link and returns the code of the redirect, from
// the local listener or stdin, whichever comes first.
func waitForCode(ctx context.Context, o options, red *url.URL, link string, stdin io.Reader, stdout io.Writer) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	codes := make(chan string, 2)
	local := red.Hostname() == "127.0.0.1" || red.Hostname() == "localhost" || red.Hostname() == "::1"
	if local {
		ln, err := net.Listen("tcp", red.Host)
		if err != nil {
			return "", fmt.Errorf("listen on the redirect address %s: %w (use -redirect with a free port, or -code)", red.Host, err)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			code := r.URL.Query().Get("code")
			if r.URL.Path != red.Path || code == "" {
				http.Error(w, "no authorisation code here", http.StatusNotFound)
				return
			}
			if sid := r.URL.Query().Get("shop_id"); o.shopID != 0 && sid != "" && sid != strconv.FormatInt(o.shopID, 10) {
				http.Error(w, "this authorisation is for shop "+sid+", not the shop being authorised", http.StatusBadRequest)
				return
			}
			fmt.Fprintln(w, "Authorised. You can close this page.")
			codes <- code
		}), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
	}
	fmt.Fprintf(stdout, "Open this link as the seller of %s and approve:\n\n  %s\n\n", o.who, link)
	if local {
		fmt.Fprintf(stdout, "Waiting for the redirect to %s (or paste the code or the redirect URL here).\n", o.redirect)
	} else {
		fmt.Fprintln(stdout, "Then paste the code, or the whole redirect URL, here:")
	}
	go func() {
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			if code := codeFrom(sc.Text()); code != "" {
				codes <- code
				return
			}
		}
	}()
	select {
	case code := <-codes:
		return code, nil
	case <-ctx.Done():
		return "", fmt.Errorf("no authorisation code received: %w", ctx.Err())
	}
}

// codeFrom takes a code, or the code parameter of a pasted redirect URL.
func codeFrom(line string) string {
	line = strings.TrimSpace(line)
	if line == "" {
		return ""
	}
	if u, err := url.Parse(line); err == nil && u.RawQuery != "" {
		return u.Query().Get("code")
	}
	return line
}

// openTokenStore opens the token table of the warehouse at url without
// touching anything else in it.
func openTokenStore(ctx context.Context, u string) (tokenstore.Store, func(), error) {
	var driver, dsn string
	var d tokenstore.Dialect
	switch {
	case strings.HasPrefix(u, "sqlite:"):
		driver, d = "sqlite", tokenstore.SQLite
		dsn = "file:" + strings.TrimPrefix(u, "sqlite:") + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(30000)&_txlock=immediate"
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		driver, dsn, d = "pgx", u, tokenstore.Postgres
	case strings.HasPrefix(u, "sqlserver://"):
		driver, dsn, d = "sqlserver", u, tokenstore.SQLServer
	default:
		return nil, nil, fmt.Errorf("-sink %q: use sqlite:PATH, postgres://… or sqlserver://…", connector.Redact(u))
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", connector.Redact(u), err)
	}
	store, err := tokenstore.NewSQLStore(ctx, db, d)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return store, func() { db.Close() }, nil
}
