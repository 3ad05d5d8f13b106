// Command authorize gets an account's first token pair, or a new one when
// its refresh token is dead (a sync fails with "needs re-authorisation"):
// it prints the platform's authorisation link, takes the code from the
// redirect — caught by a small listener on the redirect address, pasted on
// stdin (the code or the whole redirect URL), or given with -code —
// exchanges it for a token pair and stores the pair in the warehouse's
// token table, where every sync process picks it up.
//
//	go run ./examples/authorize -platform shopee -shop-id 123456 -sink sqlite:facolos.db
//	go run ./examples/authorize -platform tiktok -shop my-shop -sink sqlite:facolos.db
//
// Shopee credentials come from the environment (or the .env file, found as
// examples/sync finds it): SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY,
// SHOPEE_HOST. The redirect URL (-redirect) must be one the partner app
// allows; by default http://127.0.0.1:8765/callback, served by this command.
//
// TikTok Shop credentials: TIKTOK_APP_KEY, TIKTOK_APP_SECRET,
// TIKTOK_SERVICE_ID (the app's service id of the authorisation link),
// TIKTOK_AUTH_BASE_URL, TIKTOK_SHOP_API_BASE_URL and TIKTOK_AUTHORIZE_URL
// (the link's host, default https://services.tiktokshop.com; US shops:
// https://services.us.tiktokshop.com). TikTok redirects to the redirect URL
// registered for the app in Partner Center; give the same URL as -redirect.
// The pair is stored under the account name -shop (default
// $TIKTOK_SHOP_NAME, else "default"), the name the sync job uses; the shop
// cipher is resolved with the new token and stored beside it.
//
// Lazada credentials: LAZADA_APP_KEY, LAZADA_APP_SECRET,
// LAZADA_AUTH_BASE_URL (and LAZADA_SELLER_ID, to refuse a code of another
// seller); the pair is stored for the seller_id of the answer.
//
// MISA CRM uses client credentials (MISA_CRM_CLIENT_ID and
// MISA_CRM_CLIENT_SECRET): it needs no authorisation step.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
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
	"strings"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/envfile"
	etlsink "github.com/facolos/etl/sink"
	"github.com/facolos/etl/tokenstore"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/microsoft/go-mssqldb"
	_ "modernc.org/sqlite"
)

func main() {
	if path, err := envfile.Load(); err != nil {
		fmt.Fprintln(os.Stderr, "authorize:", err)
		os.Exit(1)
	} else if path != "" {
		fmt.Fprintln(os.Stderr, "authorize: settings from", path)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "authorize:", err)
		os.Exit(1)
	}
}

type options struct {
	platform, sink, redirect, code string
	timeout                        time.Duration
	shopee                         shopeeOptions
	tiktok                         tiktokOptions
}

// authorizer is one platform's side of the flow.
type authorizer interface {
	// link returns the authorisation link the seller opens.
	link(redirect string) string
	// who names the account in messages ("shopee shop 123456").
	who() string
	// redirected checks the query of a redirect and returns its code.
	redirected(q url.Values) (string, error)
	// exchange exchanges the code and stores the pair; it returns what to
	// tell the user beyond "stored".
	exchange(ctx context.Context, code string, ts *tokenStore) (string, error)
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	var o options
	fs := flag.NewFlagSet("authorize", flag.ContinueOnError)
	fs.StringVar(&o.platform, "platform", "shopee", "platform to authorise: shopee, tiktok or lazada (MISA uses client credentials and needs no authorisation)")
	fs.StringVar(&o.sink, "sink", "", "warehouse URL holding the token table: sqlite:PATH, postgres://… or sqlserver://… (default $ETL_SINK, else sqlite:facolos.db)")
	fs.StringVar(&o.redirect, "redirect", "http://127.0.0.1:8765/callback", "redirect URL of the authorisation (TikTok: the one registered for the app); when it is on 127.0.0.1 or localhost this command listens there")
	fs.StringVar(&o.code, "code", "", "the code of the redirect, when you already have it")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the redirect (a Shopee code is valid 10 minutes, a TikTok one 30)")
	o.shopee.flags(fs)
	o.tiktok.flags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.sink == "" {
		o.sink = getenv("ETL_SINK")
	}
	if o.sink == "" {
		o.sink = "sqlite:facolos.db"
	}
	var a authorizer
	var err error
	switch strings.ToLower(o.platform) {
	case "shopee":
		a, err = o.shopee.authorizer(getenv)
	case "tiktok", "tiktok_shop":
		a, err = o.tiktok.authorizer(getenv)
	case "lazada":
		a, err = lazadaAuthorizer(getenv)
	case "misa", "misa_crm":
		return errors.New("-platform misa: MISA CRM uses client credentials (MISA_CRM_CLIENT_ID, MISA_CRM_CLIENT_SECRET); there is nothing to authorise: check them with go run ./examples/sync -check")
	default:
		return fmt.Errorf("-platform %q: use shopee, tiktok or lazada", o.platform)
	}
	if err != nil {
		return err
	}
	red, err := url.Parse(o.redirect)
	if err != nil || red.Scheme == "" || red.Host == "" {
		return fmt.Errorf("-redirect %q is not an absolute URL", o.redirect)
	}
	if o.timeout <= 0 {
		return errors.New("-timeout must be positive")
	}

	ts, err := openTokenStore(ctx, o.sink)
	if err != nil {
		return err
	}
	defer ts.close()

	code := o.code
	if code == "" {
		if code, err = waitForCode(ctx, o, red, a, stdin, stdout); err != nil {
			return err
		}
	}
	more, err := a.exchange(ctx, code, ts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Stored a new token pair for %s in %s%s; syncing can start or resume.\n", a.who(), connector.Redact(o.sink), more)
	return nil
}

// waitForCode prints the link and returns the code of the redirect, from
// the local listener or stdin, whichever comes first.
func waitForCode(ctx context.Context, o options, red *url.URL, a authorizer, stdin io.Reader, stdout io.Writer) (string, error) {
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
			if r.URL.Path != red.Path || r.URL.Query().Get("code") == "" {
				http.Error(w, "no authorisation code here", http.StatusNotFound)
				return
			}
			code, err := a.redirected(r.URL.Query())
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			fmt.Fprintln(w, "Authorised. You can close this page.")
			codes <- code
		}), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		// Shutdown, not Close: the seller's browser gets the answer of the
		// redirect before the listener goes (Close could cut it off).
		defer func() {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		}()
	}
	fmt.Fprintf(stdout, "Open this link as the seller of %s and approve:\n\n  %s\n\n", a.who(), a.link(o.redirect))
	if local {
		fmt.Fprintf(stdout, "Waiting for the redirect to %s (or paste the code or the redirect URL here).\n", o.redirect)
	} else {
		fmt.Fprintln(stdout, "Then paste the code, or the whole redirect URL, here:")
	}
	go func() {
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			code, err := codeFrom(sc.Text(), a)
			if err != nil {
				fmt.Fprintln(stdout, err)
				continue
			}
			if code != "" {
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

// codeFrom takes a code, or the code of a pasted redirect URL (checked
// like a redirect to the listener).
func codeFrom(line string, a authorizer) (string, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return "", nil
	}
	if u, err := url.Parse(line); err == nil && u.RawQuery != "" {
		if u.Query().Get("code") == "" {
			return "", errors.New("that URL has no code parameter; paste the URL the platform redirected to")
		}
		return a.redirected(u.Query())
	}
	return line, nil
}

// newState returns a random state for an authorisation link.
func newState() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// tokenStore is the token table of a warehouse, opened alone.
type tokenStore struct {
	tokenstore.Store
	db *sql.DB
	d  tokenstore.Dialect
}

func (t *tokenStore) close() { t.db.Close() }

// setShopCipher stores the shop cipher of an account beside its token (the
// token table's shop_cipher column).
func (t *tokenStore) setShopCipher(ctx context.Context, platform, account, cipher string) error {
	q := fmt.Sprintf("UPDATE %s SET shop_cipher = %s WHERE platform = %s AND account = %s", t.d.Table, t.d.Placeholder(1), t.d.Placeholder(2), t.d.Placeholder(3))
	res, err := t.db.ExecContext(ctx, q, cipher, platform, account)
	if err != nil {
		return fmt.Errorf("store the shop cipher of %s/%s: %w", platform, account, err)
	}
	if n, err := res.RowsAffected(); err == nil && n != 1 {
		return fmt.Errorf("store the shop cipher of %s/%s: %d token rows matched", platform, account, n)
	}
	return nil
}

// openTokenStore opens the token table of the warehouse at u without
// touching anything else in it. A postgres:// URL's schema_control names
// the table's schema, as for the sync job.
func openTokenStore(ctx context.Context, u string) (*tokenStore, error) {
	var driver, dsn string
	var d tokenstore.Dialect
	switch {
	case strings.HasPrefix(u, "sqlite:"):
		driver, d = "sqlite", tokenstore.SQLite
		dsn = "file:" + strings.TrimPrefix(u, "sqlite:") + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(30000)&_txlock=immediate"
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		var schemas map[string]string
		var err error
		if dsn, schemas, err = etlsink.PostgresSchemas(u); err != nil {
			return nil, err
		}
		driver, d = "pgx", tokenstore.PostgresDialect(etlsink.ControlSchema(schemas))
	case strings.HasPrefix(u, "sqlserver://"):
		driver, dsn, d = "sqlserver", u, tokenstore.SQLServer
	default:
		return nil, fmt.Errorf("-sink %q: use sqlite:PATH, postgres://… or sqlserver://…", connector.Redact(u))
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", connector.Redact(u), err)
	}
	store, err := tokenstore.NewSQLStore(ctx, db, d)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &tokenStore{Store: store, db: db, d: d}, nil
}

// quiet discards the platform clients' logs: this command talks to the user
// on stdout.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
