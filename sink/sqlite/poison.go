package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/facolos/etl/connector"
	sqlite3 "modernc.org/sqlite"
)

// SQLite primary result codes that mean "this data is refused".
const (
	sqliteTooBig     = 18
	sqliteConstraint = 19
	sqliteMismatch   = 20
	sqliteRange      = 25
)

// classify marks the errors caused by the values of a batch (a constraint,
// a too-big value, a type mismatch) as connector.DataError, so the runner
// isolates the record; busy, I/O and other errors stay as they are.
func classify(err error) error {
	var se *sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqliteTooBig, sqliteConstraint, sqliteMismatch, sqliteRange:
			return connector.MarkData(err)
		}
	}
	return err
}

// upgradeRejected adds the payload_encoding column to a quarantine table
// created by an older version.
func (s *Sink) upgradeRejected(ctx context.Context) error {
	have, err := s.columns(ctx, rejectedTable)
	if err != nil {
		return err
	}
	if have["payload_encoding"] {
		return nil
	}
	_, err = s.db.ExecContext(ctx, `ALTER TABLE `+q(rejectedTable)+` ADD COLUMN payload_encoding TEXT`)
	if err != nil {
		// Another process may have added it meanwhile.
		if have, cerr := s.columns(ctx, rejectedTable); cerr == nil && have["payload_encoding"] {
			return nil
		}
	}
	return err
}

func nullable(s string, valid bool) any {
	if !valid {
		return nil
	}
	return s
}

// ReadRejected returns the quarantined records of (pipeline, stream) in the
// order they were stored, with their payloads decoded to the original bytes.
func (s *Sink) ReadRejected(ctx context.Context, pipeline, stream string) ([]connector.Rejection, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT record_key, reason, payload, payload_encoding, rejected_at FROM `+q(rejectedTable)+
		` WHERE pipeline = ? AND stream = ? ORDER BY id`, pipeline, stream)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read rejected %s/%s: %w", pipeline, stream, err)
	}
	defer rows.Close()
	var out []connector.Rejection
	for rows.Next() {
		var key, payload, enc sql.NullString
		var reason, at string
		if err := rows.Scan(&key, &reason, &payload, &enc, &at); err != nil {
			return nil, fmt.Errorf("sqlite: read rejected %s/%s: %w", pipeline, stream, err)
		}
		r := connector.Rejection{Key: key.String, Reason: reason}
		if payload.Valid {
			if r.Payload, err = connector.DecodePayload(payload.String, enc.String); err != nil {
				return nil, fmt.Errorf("sqlite: read rejected %s/%s: %w", pipeline, stream, err)
			}
		}
		r.At, _ = time.Parse("2006-01-02T15:04:05.000000Z", at)
		out = append(out, r)
	}
	return out, rows.Err()
}
