package mssql

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/facolos/etl/connector"
	mssql "github.com/microsoft/go-mssqldb"
)

// Babelfish refuses a bulk load whose closing DONE token (13 bytes) falls
// across two TDS packets, with error 33557097 ("The incoming tabular data
// stream (TDS) Bulk Load Request (BulkLoadBCP) protocol stream is incorrect.
// unexpected token encountered processing the request."), and then ends the
// connection, so the client may see only the dropped connection, at its next
// statement. It depends only on the stream's byte length (about 0.3 % of bulk
// copies of arbitrary data), so the same rows sent again fail again; sent as
// two bulk loads of half the rows each, the boundary moves and they load
// (spec/babelfish.md). SQL Server never refuses a bulk load this way.

// serverVersionSQL reads the server's version string ("Babelfish" in it on
// Babelfish).
const serverVersionSQL = "SELECT @@VERSION"

// afterBulkLoad marks an error of a batch's bulk copy or of the statement
// right after one: where a connection Babelfish dropped after refusing a
// bulk load shows.
type afterBulkLoad struct{ err error }

func (e afterBulkLoad) Error() string { return e.err.Error() }
func (e afterBulkLoad) Unwrap() error { return e.err }

// bulkLoadRefusal reports whether err is Babelfish's refusal of a bulk
// load's stream.
func bulkLoadRefusal(err error) bool {
	var me mssql.Error
	return errors.As(err, &me) && me.Number == errUnsupportedFeature && strings.Contains(me.Message, "Bulk Load")
}

// droppedConnection reports whether err is a connection the server ended.
func droppedConnection(err error) bool {
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ne)
}

// bulkLoadBoundary reports whether a failed attempt of a batch met the
// refusal above: the refusal itself, or a connection dropped right after a
// bulk load on a server that reports Babelfish.
func (s *Sink) bulkLoadBoundary(ctx context.Context, err error) bool {
	if bulkLoadRefusal(err) {
		return true
	}
	var ab afterBulkLoad
	return errors.As(err, &ab) && droppedConnection(err) && s.babelfish(ctx)
}

// babelfish reports whether the server says it is Babelfish; it asks once
// (a failed question is asked again next time and counts as no).
func (s *Sink) babelfish(ctx context.Context) bool {
	s.mu.Lock()
	known, is := s.versionKnown, s.isBabelfish
	s.mu.Unlock()
	if known {
		return is
	}
	var v string
	if err := s.db.QueryRowContext(ctx, serverVersionSQL).Scan(&v); err != nil {
		s.cfg.Logger.Warn("mssql: cannot read the server version", "error", err.Error())
		return false
	}
	is = strings.Contains(v, "Babelfish")
	s.mu.Lock()
	s.versionKnown, s.isBabelfish = true, is
	s.mu.Unlock()
	return is
}

// splitBulkLoads notes that a batch is retried with its bulk loads split:
// the first time at WARN, later ones at DEBUG.
func (s *Sink) splitBulkLoads(b *connector.Batch, err error) {
	log := s.cfg.Logger.Debug
	if s.splitLogged.CompareAndSwap(false, true) {
		log = s.cfg.Logger.Warn
	}
	log("mssql: the server refused a bulk load whose end fell across a TDS packet boundary (Babelfish); retrying the batch with each table's rows in two bulk loads (later occurrences are logged at DEBUG)",
		"pipeline", b.Pipeline, "stream", b.Stream, "error", err.Error())
}
