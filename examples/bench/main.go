// Command bench measures a full Shopee load from the simulator into a
// warehouse (a fresh SQLite file by default, or any sink URL): wall time,
// orders per second, API calls against the minimum possible, and the peak
// heap of the loading process. The simulator runs in a child process (this
// binary with -serve), so the heap measured is the pipeline's alone.
//
//	go run ./examples/bench -orders 10000
//	go run ./examples/bench -orders 50000 -sink 'postgres://postgres@127.0.0.1:5432/bench?sslmode=disable'
//	go run ./examples/bench -orders 50000 -sink 'sqlserver://sa:PASSWORD@127.0.0.1:1433?database=bench'
//
// A server warehouse should be empty (a fresh database): the load is a first
// load only when the staging tables hold no rows of the simulated shop.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/facolos/etl/sink"
)

var (
	orders = flag.Int("orders", 10000, "orders in the simulated shop")
	days   = flag.Int("days", 365, "days of history they are spread over")
	serve  = flag.Bool("serve", false, "internal: run the simulator and print its address")
	into   = flag.String("sink", "", "warehouse URL (sqlite:PATH, postgres://…, sqlserver://…; default: a new SQLite file)")
	now    = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
)

type endpoint struct {
	URL        string `json:"url"`
	PartnerID  int64  `json:"partner_id"`
	PartnerKey string `json:"partner_key"`
	ShopID     int64  `json:"shop_id"`
	Access     string `json:"access"`
	Refresh    string `json:"refresh"`
}

func main() {
	flag.Parse()
	if *serve {
		sim := shopeetest.NewServer(shopeetest.Options{Orders: *orders, Days: *days, Now: now, Seed: 1})
		_ = json.NewEncoder(os.Stdout).Encode(endpoint{sim.URL, sim.PartnerID(), sim.PartnerKey(), sim.ShopID(), sim.InitialAccess(), sim.InitialRefresh()})
		_, _ = io.Copy(io.Discard, os.Stdin) // serve until the parent closes stdin
		sim.Close()
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, "-serve", "-orders", fmt.Sprint(*orders), "-days", fmt.Sprint(*days))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	var ep endpoint
	if err := json.NewDecoder(bufio.NewReader(stdout)).Decode(&ep); err != nil {
		return fmt.Errorf("simulator: %w", err)
	}

	url := *into
	if url == "" {
		dir, err := os.MkdirTemp("", "etl-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		url = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	ctx := context.Background()
	wh, err := sink.Open(ctx, url, connector.TimeUTC)
	if err != nil {
		return err
	}
	defer wh.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, err := shopee.NewSource(shopee.Config{Host: ep.URL, PartnerID: ep.PartnerID, PartnerKey: ep.PartnerKey, ShopID: ep.ShopID,
		AccessToken: ep.Access, RefreshToken: ep.Refresh, Now: func() time.Time { return now }, Logger: quiet})
	if err != nil {
		return err
	}

	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	res := (&connector.Runner{Mode: connector.Full, Logger: quiet}).Run(ctx,
		connector.Pipeline{Name: "bench", Source: src, Transformer: shopee.Transformer{}, Sink: wh.Sink})[0]
	wall := time.Since(start)
	close(stop)
	if res.Err != nil {
		return res.Err
	}
	rows := int64(0)
	for _, n := range res.Rows {
		rows += n
	}
	minDetail := (*orders + shopee.MaxDetailBatch - 1) / shopee.MaxDetailBatch
	windows := (int(time.Duration(*days)*24*time.Hour/shopee.MaxWindow) + 1)
	minList := max(windows, (*orders+shopee.PageSize-1)/shopee.PageSize)
	fmt.Printf("sink=%s\n", connector.Redact(url))
	fmt.Printf("orders=%d records=%d rows=%d wall=%s orders/s=%.0f\n", *orders, res.Records, rows, wall.Round(time.Millisecond), float64(res.Records)/wall.Seconds())
	fmt.Printf("get_order_detail calls=%d (minimum %d)  get_order_list calls=%d (lower bound %d: %d windows, %d orders per page; includes %v earliest-date probes)\n",
		res.APICalls[shopee.PathOrderDetail], minDetail, res.APICalls[shopee.PathOrderList], minList, windows, shopee.PageSize, res.Stats["earliest_date_probes"])
	fmt.Printf("peak heap=%.1f MiB\n", float64(peak.Load())/(1<<20))
	return nil
}
