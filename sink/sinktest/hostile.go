package sinktest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
)

// The hostile corpus: records a platform could send that databases refuse
// or that a careless transformer would misread, next to edge values that
// must be stored exactly. Run through a connector.Runner into the sink,
// nothing stops, every bad record is quarantined with a reason and its exact
// bytes, and every good record is stored.

// Hostile is one record of the corpus.
type Hostile struct {
	// Key is the record key the source reports.
	Key string
	// Data is the raw payload.
	Data []byte
	// Reason, when not empty, means the record must be quarantined with a
	// reason containing this text; empty means it must be stored.
	Reason string
}

// refuseMarker is a text value the suite's BeforeCommit hook treats as a
// value the database refuses, to prove that a refusal inside the write
// transaction quarantines only its record.
const refuseMarker = "REFUSED-BY-THE-DATABASE"

// HostileCorpus returns the corpus, in the order the source emits it.
func HostileCorpus() []Hostile {
	rec := func(key, reason, data string) Hostile { return Hostile{Key: key, Data: []byte(data), Reason: reason} }
	return []Hostile{
		rec("G-plain", "", `{"id":"G-plain","txt":"plain","n":42,"flag":true,"at":1700000000,"doc":{"a":1},"amount":"150000.5","lines":["x","y"]}`),
		rec("G-text", "", `{"id":"G-text","txt":"Nguyễn Thị Ánh 😀 \u202eRTL\u202c zero\u200bwidth \ufeffBOM \uffff ctl\u0001\u001f\u007f '; DROP TABLE x; -- \"]] \\ end","n":0,"lines":["ǅ","😀😀"]}`),
		rec("G-int-max", "", `{"id":"G-int-max","n":9223372036854775807,"lines":[]}`),
		rec("G-int-min", "", `{"id":"G-int-min","n":"-9223372036854775808"}`),
		rec("G-int-exp", "", `{"id":"G-int-exp","n":1e3}`),
		rec("G-epoch-ms", "", `{"id":"G-epoch-ms","at":1700000000123}`),
		rec("G-epoch-lo", "", `{"id":"G-epoch-lo","at":1}`),
		rec("G-epoch-hi", "", `{"id":"G-epoch-hi","at":4102444799}`),
		rec("G-bool-words", "", `{"id":"G-bool-words","flag":" YES "}`),
		rec("G-bool-zero", "", `{"id":"G-bool-zero","flag":0}`),
		rec("G-json", "", `{"id":"G-json","doc":{"emoji":"\ud83d\ude00","escaped":"\\u0000 is text","deep":[[[[{"x":null}]]]],"big":123456789012345678901234567890}}`),
		rec("G-dec-max", "", `{"id":"G-dec-max","amount":"99999999999999.9999"}`),
		rec("G-long", "", `{"id":"G-long","txt":"`+strings.Repeat("ộ", 100000)+`"}`),

		rec("B-nul-text", "NUL", `{"id":"B-nul-text","txt":"a\u0000b","lines":["z"]}`),
		{Key: "B-utf8-payload", Data: []byte("{\"id\":\"B-utf8-payload\",\"txt\":\"\xff\xfe\xc3(\"}"), Reason: "not valid UTF-8"},
		{Key: "B-\xffkey", Data: []byte("\x00\x01\xff binary, not JSON"), Reason: "not valid UTF-8"},
		rec("B-json-nul", `\u0000`, `{"id":"B-json-nul","doc":{"a":"\u0000"}}`),
		rec("B-json-surrogate", "surrogate", `{"id":"B-json-surrogate","doc":{"a":"\ud800x"}}`),
		rec("B-epoch-negative", "epoch", `{"id":"B-epoch-negative","at":-5}`),
		rec("B-epoch-2128", "window", `{"id":"B-epoch-2128","at":5000000000}`),
		rec("B-epoch-ms-5000", "window", `{"id":"B-epoch-ms-5000","at":99999999999999}`),
		rec("B-int-overflow", "64-bit", `{"id":"B-int-overflow","n":9223372036854775808}`),
		rec("B-int-fraction", "integer", `{"id":"B-int-fraction","n":1.5}`),
		rec("B-int-object", "integer", `{"id":"B-int-object","n":{"v":1}}`),
		rec("B-bool-nope", "not a boolean", `{"id":"B-bool-nope","flag":"nope"}`),
		rec("B-bool-two", "not a boolean", `{"id":"B-bool-two","flag":2}`),
		rec("B-key-object", "key is an object", `{"id":{"sn":"x"}}`),
		rec("B-key-number", "a number", `{"id":12345}`),
		rec("B-key-bool", "key is a boolean", `{"id":true}`),
		rec("B-key-null", "missing", `{"id":null}`),
		rec("B-key-nul", "NUL", `{"id":"B-key\u0000nul"}`),
		rec("B-key-long", "exceeds", `{"id":"`+strings.Repeat("k", 51)+`"}`),
		rec("B-dec-overflow", "does not fit", `{"id":"B-dec-overflow","amount":"1e20"}`),
		rec("B-dec-scale", "fraction digits", `{"id":"B-dec-scale","amount":"1.00001"}`),
		rec("B-dec-exponent", "exponent out of range", `{"id":"B-dec-exponent","amount":"1e999999999"}`),
		rec("B-int-exponent", "not an integer", `{"id":"B-int-exponent","n":1e999999999}`),
		rec("B-not-json", "payload", `{"id":"B-not-json",`),
		rec("B-refused", "simulated refusal", `{"id":"B-refused","txt":"`+refuseMarker+`","lines":["r1","r2"]}`),
		rec("G-after", "", `{"id":"G-after","txt":"after the refused one","lines":["a"]}`),
	}
}

func hostileTables() (*connector.Table, *connector.Table) {
	parent := &connector.Table{Schema: "staging", Name: "st_hostile", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.String, Length: 50},
		{Name: "txt", Type: connector.String, Nullable: true},
		{Name: "n", Type: connector.Int, Nullable: true},
		{Name: "flag", Type: connector.Bool, Nullable: true},
		{Name: "at", Type: connector.Timestamp, Nullable: true},
		{Name: "doc", Type: connector.JSON, Nullable: true},
		{Name: "amount", Type: connector.Decimal, Precision: 18, Scale: 4, Nullable: true},
	}}
	child := &connector.Table{Schema: "staging", Name: "st_hostile_lines", PrimaryKey: []string{"id", "line"},
		Parent: "staging.st_hostile", ParentKey: []string{"id"}, Columns: []connector.Column{
			{Name: "id", Type: connector.String, Length: 50},
			{Name: "line", Type: connector.Int},
			{Name: "note", Type: connector.String, Length: 20, Nullable: true},
		}}
	return parent, child
}

// hostileTransformer reads the corpus with the connector helpers, as a
// platform transformer does.
type hostileTransformer struct{ parent, child *connector.Table }

func (h hostileTransformer) Tables() []*connector.Table { return []*connector.Table{h.parent, h.child} }

func (h hostileTransformer) Transform(rec connector.Record, out connector.Output) error {
	var f struct {
		ID, Txt, N, Flag, At, Amount json.RawMessage
		Doc                          json.RawMessage
		Lines                        []json.RawMessage
	}
	if err := json.Unmarshal(rec.Data, &f); err != nil {
		return fmt.Errorf("payload: %w", err)
	}
	val := func(raw json.RawMessage) any {
		if raw == nil {
			return nil
		}
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		var v any
		_ = d.Decode(&v)
		return v
	}
	id, err := connector.KeyText(val(f.ID), false)
	if err != nil {
		return fmt.Errorf("field id: %w", err)
	}
	row := make([]any, len(h.parent.Columns))
	row[0] = id
	if v := val(f.Txt); v != nil {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("field txt: %s is not text", connector.Describe(v))
		}
		row[1] = s
	}
	if n, ok, err := connector.ParseInt(val(f.N)); err != nil {
		return fmt.Errorf("field n: %w", err)
	} else if ok {
		row[2] = n
	}
	if b, ok, err := connector.ParseBool(val(f.Flag)); err != nil {
		return fmt.Errorf("field flag: %w", err)
	} else if ok {
		row[3] = b
	}
	if n, ok, err := connector.ParseInt(val(f.At)); err != nil {
		return fmt.Errorf("field at: %w", err)
	} else if ok {
		at, err := connector.EpochTime(n)
		if err != nil {
			return fmt.Errorf("field at: %w", err)
		}
		row[4] = at
	}
	if f.Doc != nil {
		row[5] = connector.RawJSON(f.Doc)
	}
	if v := val(f.Amount); v != nil {
		s, _ := v.(string)
		d, err := connector.ParseDec(s)
		if err != nil {
			return fmt.Errorf("field amount: %w", err)
		}
		row[6] = d
	}
	out.Add(h.parent, row)
	for i, l := range f.Lines {
		note, _ := val(l).(string)
		out.Add(h.child, []any{id, int64(i + 1), note})
	}
	return nil
}

type hostileSource struct{ corpus []Hostile }

func (s hostileSource) Streams() []connector.Stream { return []connector.Stream{s} }
func (hostileSource) Name() string                  { return "hostile" }
func (s hostileSource) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	const page = 7
	for i := 0; i < len(s.corpus); i += page {
		pg := connector.Page{Checkpoint: connector.Checkpoint(fmt.Sprintf(`{"n":%d}`, min(i+page, len(s.corpus))))}
		for _, h := range s.corpus[i:min(i+page, len(s.corpus))] {
			pg.Records = append(pg.Records, connector.Record{Key: h.Key, Data: h.Data})
		}
		if err := emit(ctx, pg); err != nil {
			return err
		}
	}
	return nil
}

// refuseHook is the BeforeCommit hook of the hostile test: a batch holding
// the marker fails inside the transaction as a database refusal would.
func refuseHook(ctx context.Context, b *connector.Batch) error {
	for _, tr := range b.Tables {
		for _, r := range tr.Rows {
			for _, v := range r {
				if v == refuseMarker {
					return connector.MarkData(errors.New("simulated refusal of a value by the database"))
				}
			}
		}
	}
	return nil
}

func testHostile(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{BeforeCommit: refuseHook})
	parent, child := hostileTables()
	corpus := HostileCorpus()
	r := connector.Runner{Mode: connector.Full, Logger: quietLogger()}
	res := r.RunPipeline(context.Background(), connector.Pipeline{Name: "hostile", Source: hostileSource{corpus},
		Transformer: hostileTransformer{parent, child}, Sink: s})
	if res.Status != connector.StatusOK {
		t.Fatalf("run: %s %v", res.Status, res.Err)
	}
	var good, bad []Hostile
	for _, h := range corpus {
		if h.Reason == "" {
			good = append(good, h)
		} else {
			bad = append(bad, h)
		}
	}
	if res.Records != int64(len(corpus)) || res.Rejected != int64(len(bad)) {
		t.Fatalf("records %d rejected %d, want %d and %d", res.Records, res.Rejected, len(corpus), len(bad))
	}

	// Every good record is stored, exactly as the transformer made it.
	want := map[string][]any{}
	wantLines := map[string]int{}
	for _, h := range good {
		rows := &collect{}
		if err := (hostileTransformer{parent, child}).Transform(connector.Record{Key: h.Key, Data: h.Data}, rows); err != nil {
			t.Fatalf("%s: %v", h.Key, err)
		}
		want[h.Key] = rows.rows[0]
		wantLines[h.Key] = len(rows.rows) - 1
	}
	got := read(t, s, parent)
	if len(got) != len(good) {
		t.Fatalf("%d rows stored, want %d", len(got), len(good))
	}
	for _, row := range got {
		w, ok := want[row[0].(string)]
		if !ok {
			t.Fatalf("unexpected row %v", row[0])
		}
		equal(t, business(parent, [][]any{w}), business(parent, [][]any{row}), "row "+row[0].(string))
	}
	lines := map[string]int{}
	for _, l := range read(t, s, child) {
		lines[l[0].(string)]++
	}
	for k, n := range wantLines {
		if lines[k] != n {
			t.Fatalf("%s: %d lines stored, want %d", k, lines[k], n)
		}
		delete(lines, k)
	}
	if len(lines) > 0 {
		t.Fatalf("lines of quarantined records stored: %v", lines)
	}

	// Every bad record is quarantined once, with a reason and its exact bytes.
	rej, err := s.ReadRejected(context.Background(), "hostile", "hostile")
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]connector.Rejection{}
	for _, r := range rej {
		if _, dup := byKey[string(r.Payload)]; dup {
			t.Fatalf("quarantined twice: %q", r.Key)
		}
		byKey[string(r.Payload)] = r
	}
	for _, h := range bad {
		r, ok := byKey[string(h.Data)]
		if !ok {
			t.Errorf("%q: not quarantined (or its payload changed)", h.Key)
			continue
		}
		if r.Key != connector.CleanText(h.Key) {
			t.Errorf("%q: stored key %q", h.Key, r.Key)
		}
		if !strings.Contains(r.Reason, h.Reason) {
			t.Errorf("%q: reason %q does not mention %q", h.Key, r.Reason, h.Reason)
		}
		if r.At.IsZero() {
			t.Errorf("%q: no rejection time", h.Key)
		}
	}
	if len(rej) != len(bad) {
		keys := make([]string, 0, len(rej))
		for _, r := range rej {
			keys = append(keys, r.Key)
		}
		sort.Strings(keys)
		t.Fatalf("%d quarantined, want %d: %q", len(rej), len(bad), keys)
	}
	cp, err := s.LoadCheckpoint(context.Background(), "hostile", "hostile")
	if err != nil || !jsonEqual(cp, fmt.Sprintf(`{"n":%d}`, len(corpus))) {
		t.Fatalf("checkpoint %s, %v", cp, err)
	}
}

// collect is a connector.Output that keeps the rows.
type collect struct{ rows [][]any }

func (c *collect) Add(_ *connector.Table, row []any) { c.rows = append(c.rows, row) }

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
