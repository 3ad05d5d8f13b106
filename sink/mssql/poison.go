package mssql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/facolos/etl/connector"
	mssql "github.com/microsoft/go-mssqldb"
)

// dataErrors are the SQL Server error numbers raised by the values of a
// batch: truncation (8152, 2628), NULL in a NOT NULL column (515), duplicate
// keys (2601, 2627), CHECK and FOREIGN KEY conflicts (547), arithmetic
// overflow and conversion failures (220, 232, 241, 242, 244, 245, 248, 517,
// 8114, 8115, 8169), a MERGE touching a row twice (8672, e.g. keys that
// differ only in case under a case-insensitive collation), invalid JSON
// (13608, 13609) and values the bulk-load protocol refuses (4815, 4816).
var dataErrors = map[int32]bool{
	220: true, 232: true, 241: true, 242: true, 244: true, 245: true, 248: true, 515: true, 517: true,
	547: true, 2601: true, 2627: true, 2628: true, 4815: true, 4816: true, 8114: true, 8115: true,
	8152: true, 8169: true, 8672: true, 13608: true, 13609: true,
}

// classify marks errors caused by the values of a batch as
// connector.DataError, so the runner isolates the record; connection, lock,
// deadlock and other errors stay as they are.
func classify(err error) error {
	var me mssql.Error
	if errors.As(err, &me) && !transient(err) {
		if dataErrors[me.Number] {
			return connector.MarkData(err)
		}
		for _, e := range me.All {
			if dataErrors[e.Number] {
				return connector.MarkData(err)
			}
		}
	}
	return err
}

func nullable(s string, valid bool) any {
	// A typed NULL: Go nil would go out as TDS's untyped NULL, which
	// Babelfish rejects.
	return sql.NullString{String: s, Valid: valid}
}

// ReadRejected returns the quarantined records of (pipeline, stream) in the
// order they were stored, with their payloads decoded to the original bytes.
func (s *Sink) ReadRejected(ctx context.Context, pipeline, stream string) ([]connector.Rejection, error) {
	rj := names{s.Schema("etl_control"), "rejected_records"}.target()
	rows, err := s.db.QueryContext(ctx, `SELECT [record_key], [reason], [payload], [payload_encoding], [rejected_at] FROM `+rj+
		` WHERE [pipeline] = @p1 AND [stream] = @p2 ORDER BY [id]`, pipeline, stream)
	if err != nil {
		return nil, fmt.Errorf("mssql: read rejected %s/%s: %w", pipeline, stream, err)
	}
	defer rows.Close()
	var out []connector.Rejection
	for rows.Next() {
		var key, payload, enc sql.NullString
		var r connector.Rejection
		var at time.Time
		if err := rows.Scan(&key, &r.Reason, &payload, &enc, &at); err != nil {
			return nil, fmt.Errorf("mssql: read rejected %s/%s: %w", pipeline, stream, err)
		}
		r.Key, r.At = key.String, at.UTC()
		if payload.Valid {
			if r.Payload, err = connector.DecodePayload(payload.String, enc.String); err != nil {
				return nil, fmt.Errorf("mssql: read rejected %s/%s: %w", pipeline, stream, err)
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
