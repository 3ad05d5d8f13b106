package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/facolos/etl/connector"
	"github.com/jackc/pgx/v5/pgconn"
)

// classify marks the errors the server raised because of the values of a
// batch as connector.DataError, so the runner isolates the record: SQLSTATE
// classes 22 (data exception: invalid byte sequence, value out of range,
// invalid JSON text), 23 (integrity constraint violation), 54 (program limit
// exceeded, such as an index row too large) and 21000 (a command would
// touch a row twice). Connection, lock, serialization and other errors stay
// as they are.
func classify(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch {
	case strings.HasPrefix(pe.Code, "22"), strings.HasPrefix(pe.Code, "23"), strings.HasPrefix(pe.Code, "54"), pe.Code == "21000":
		return connector.MarkData(err)
	}
	return err
}

// addPayloadEncoding adds the payload_encoding column to a quarantine table
// created by an older version; when the column exists it takes no lock on
// the table.
func addPayloadEncoding(schema, table string) string {
	lit := "'" + strings.ReplaceAll(schema, "'", "''") + "'"
	return `DO $$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_schema = ` + lit + ` AND table_name = 'rejected_records' AND column_name = 'payload_encoding') THEN
		ALTER TABLE ` + table + ` ADD COLUMN payload_encoding TEXT;
	END IF;
END $$`
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
	rows, err := s.pool.Query(ctx, `SELECT record_key, reason, payload, payload_encoding, rejected_at FROM `+s.control("rejected_records")+
		` WHERE pipeline = $1 AND stream = $2 ORDER BY id`, pipeline, stream)
	if err != nil {
		return nil, fmt.Errorf("postgres: read rejected %s/%s: %w", pipeline, stream, err)
	}
	defer rows.Close()
	var out []connector.Rejection
	for rows.Next() {
		var key, payload, enc *string
		var r connector.Rejection
		if err := rows.Scan(&key, &r.Reason, &payload, &enc, &r.At); err != nil {
			return nil, fmt.Errorf("postgres: read rejected %s/%s: %w", pipeline, stream, err)
		}
		if key != nil {
			r.Key = *key
		}
		if payload != nil {
			e := ""
			if enc != nil {
				e = *enc
			}
			if r.Payload, err = connector.DecodePayload(*payload, e); err != nil {
				return nil, fmt.Errorf("postgres: read rejected %s/%s: %w", pipeline, stream, err)
			}
		}
		r.At = r.At.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
