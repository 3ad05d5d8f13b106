package mssql

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/facolos/etl/connector"
	mssql "github.com/microsoft/go-mssqldb"
)

// errUnsupportedFeature is the error number with which Babelfish rejects a
// statement it does not implement ("'MERGE' is not currently supported in
// Babelfish").
const errUnsupportedFeature = 33557097

// errMergeRejected marks a batch whose MERGE the server rejected.
var errMergeRejected = errors.New("the server rejected MERGE")

// mergeUnsupported reports whether err is the server's refusal of MERGE
// (the same number refuses a bulk load's stream, which may show at the
// statement after it: see bulkload.go).
func mergeUnsupported(err error) bool {
	var me mssql.Error
	return errors.As(err, &me) && me.Number == errUnsupportedFeature && !bulkLoadRefusal(err)
}

// Strategy returns the upsert strategy in effect: the configured one, or
// UpdateInsert once the server has rejected MERGE.
func (s *Sink) Strategy() Strategy {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.strategy
}

// rejectMerge switches the sink to update-insert for good and logs it once.
func (s *Sink) rejectMerge(b *connector.Batch, err error) {
	s.mu.Lock()
	switched := s.strategy != UpdateInsert
	s.strategy = UpdateInsert
	s.mu.Unlock()
	if switched {
		s.cfg.Logger.Warn("mssql: the server rejects MERGE; switching to the update-insert strategy (set strategy=update-insert in the sink URL to start with it)",
			"pipeline", b.Pipeline, "stream", b.Stream, "error", err.Error())
	}
}

// ParseURL returns the Config of a sqlserver:// URL. The setting
// strategy=merge|update-insert in the query selects the upsert strategy
// (default merge) and is taken out of the DSN handed to the driver; every
// other setting goes to go-mssqldb unchanged. Errors never show the
// password.
//
//	sqlserver://etl:PASSWORD@db:1433?database=warehouse&strategy=update-insert
func ParseURL(dsn string) (Config, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return Config{}, fmt.Errorf("mssql: parse URL: %s", connector.Redact(err.Error()))
	}
	if u.Scheme != "sqlserver" {
		return Config{}, fmt.Errorf("mssql: URL %q: scheme must be sqlserver", connector.Redact(dsn))
	}
	cfg := Config{DSN: dsn}
	q := u.Query()
	if !q.Has("strategy") {
		return cfg, nil
	}
	switch st := Strategy(strings.ToLower(q.Get("strategy"))); st {
	case MergeStrategy, UpdateInsert:
		cfg.Strategy = st
	default:
		return Config{}, fmt.Errorf("mssql: URL setting strategy=%q: want %q or %q", q.Get("strategy"), MergeStrategy, UpdateInsert)
	}
	q.Del("strategy")
	u.RawQuery = q.Encode()
	cfg.DSN = u.String()
	return cfg, nil
}
