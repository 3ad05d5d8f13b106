package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/misa"
	"github.com/facolos/etl/shopee"
	etlsink "github.com/facolos/etl/sink"
	"github.com/facolos/etl/tiktok"
)

// Checker is implemented by a source that can prove its account is
// reachable with one cheap read-only call (a platform written outside this
// module may implement it); the answer names the account as the platform
// knows it. The built-in platforms are checked through their clients.
type Checker interface {
	Check(ctx context.Context) (string, error)
}

// checkTimeout bounds the call that reaches one account.
const checkTimeout = 30 * time.Second

// errNoCheck: the platform offers no cheap call to check.
var errNoCheck = errors.New("no check for this platform")

// reach calls one cheap read-only endpoint of the account behind src and
// says what answered.
func reach(ctx context.Context, src connector.Source) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	switch s := src.(type) {
	case *shopee.Source:
		// One order-list page of size 1 over the last hour.
		now := time.Now()
		if _, err := s.Client().GetOrderList(ctx, "update_time", now.Add(-time.Hour), now, 1, ""); err != nil {
			return "", err
		}
		return "order list answered", nil
	case *tiktok.Source:
		c := s.Client()
		shops, err := c.Shops(ctx)
		if err != nil {
			return "", err
		}
		cipher, err := c.ShopCipher(ctx)
		if err != nil {
			return "", err
		}
		for _, sh := range shops {
			if sh.Cipher == cipher {
				return fmt.Sprintf("shop %q (id %s, %s)", sh.Name, sh.ID, sh.Region), nil
			}
		}
		return fmt.Sprintf("shop cipher set; the token lists %d shops", len(shops)), nil
	case *misa.Source:
		// Logs in with the client credentials, then reads the stock list
		// (small, not paged).
		p, err := s.Client().Stocks(ctx)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("client credentials accepted; %d stocks", len(p.Records)), nil
	case Checker:
		return s.Check(ctx)
	}
	return "", errNoCheck
}

// check is the dry run (-check): the configuration was validated and the
// warehouse opened (its time basis matches); it checks the warehouse takes
// writes (a lease taken and given back), reaches every account with one
// read-only call, and prints what a run would do. Nothing is read into the
// warehouse. Exit code 0 when all is well, 1 when the warehouse or an
// account failed.
func check(ctx context.Context, p *plan, wh *etlsink.Warehouse, pipelines []connector.Pipeline, mode connector.Mode, out io.Writer) int {
	code := exitOK
	fmt.Fprintf(out, "warehouse  %s\ntime basis %s (the warehouse's recorded basis, if any, is the same)\n", connector.Redact(p.sinkURL), p.basis)
	if l, ok := wh.Sink.(connector.Leaser); ok {
		lease, err := l.Lease(ctx, "etl-check", "writable", 0)
		if err == nil {
			err = lease.Release()
		}
		if err != nil && !errors.Is(err, connector.ErrLeaseHeld) {
			fmt.Fprintf(out, "writable   NO: %s\n", redact(err.Error(), p.secrets))
			code = exitFailed
		} else {
			fmt.Fprintln(out, "writable   yes")
		}
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PIPELINE\tREACHED\tANSWER\tWOULD RUN")
	cps, _ := wh.Sink.(connector.CheckpointStore)
	for _, pl := range pipelines {
		reached, answer := "yes", ""
		what, err := reach(ctx, pl.Source)
		switch {
		case errors.Is(err, errNoCheck):
			reached, answer = "-", "not checked: "+err.Error()
		case err != nil:
			reached, answer = "NO", oneLine(redact(err.Error(), p.secrets))
			code = exitFailed
		default:
			answer = what
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", pl.Name, reached, answer, wouldRun(ctx, cps, pl, mode))
	}
	_ = tw.Flush()
	if code == exitOK {
		fmt.Fprintln(out, "\nAll set: run the same command without -check to sync.")
	}
	return code
}

// wouldRun says, per stream, whether a run would load fully or go on from
// the stored checkpoint.
func wouldRun(ctx context.Context, cps connector.CheckpointStore, pl connector.Pipeline, mode connector.Mode) string {
	var parts []string
	same := true
	streams := pl.Source.Streams()
	for _, st := range streams {
		what := "full load"
		if mode == connector.Incremental && cps != nil {
			cp, err := cps.LoadCheckpoint(ctx, pl.Name, st.Name())
			switch {
			case err != nil:
				what = "checkpoint unreadable: " + oneLine(err.Error())
			case cp != nil:
				what = "incremental"
			default:
				what = "full load (no checkpoint yet)"
			}
		}
		same = same && (len(parts) == 0 || strings.HasSuffix(parts[0], ": "+what))
		parts = append(parts, st.Name()+": "+what)
	}
	if same && len(streams) > 1 {
		_, what, _ := strings.Cut(parts[0], ": ")
		return fmt.Sprintf("all %d streams: %s", len(streams), what)
	}
	return strings.Join(parts, "; ")
}

// oneLine keeps an error on one table row.
func oneLine(s string) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) > 160 {
		return string(r[:160]) + "…"
	}
	return string(r)
}
