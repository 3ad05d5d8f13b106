package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ReadTable returns every row of t ordered by primary key, with the value
// types of connector (string, int64, connector.Dec, bool, time.Time in UTC,
// connector.RawJSON, nil). It reads the whole table into memory: for tests,
// checks and small tables.
func (s *Sink) ReadTable(ctx context.Context, t *connector.Table) ([][]any, error) {
	exprs := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		exprs[i] = q(c.Name)
		if c.Type == connector.Decimal || c.Type == connector.JSON {
			exprs[i] += "::text"
		}
	}
	target := s.qualified(t.Schema, t.Name)
	rows, err := s.pool.Query(ctx, fmt.Sprintf("SELECT %s FROM %s ORDER BY %s", strings.Join(exprs, ", "), target, strings.Join(quoteAll(t.PrimaryKey), ", ")))
	if err != nil {
		return nil, fmt.Errorf("postgres: read %s: %w", target, err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, fmt.Errorf("postgres: read %s: %w", target, err)
		}
		row := make([]any, len(vals))
		for i, c := range t.Columns {
			v := vals[i]
			if v == nil {
				continue
			}
			switch c.Type {
			case connector.Decimal:
				if row[i], err = connector.ParseDec(v.(string)); err != nil {
					return nil, fmt.Errorf("postgres: read %s.%s: %w", target, c.Name, err)
				}
			case connector.JSON:
				row[i] = connector.RawJSON(v.(string))
			case connector.Timestamp:
				tm := v.(time.Time)
				if s.cfg.TimeBasis == connector.TimeVietnam {
					tm = time.Date(tm.Year(), tm.Month(), tm.Day(), tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond(), connector.Vietnam)
				}
				row[i] = tm.UTC()
			default:
				row[i] = v
			}
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// leaseKey is the advisory-lock key of a stream; the control schema is part
// of it so that warehouses in different schemas do not block each other.
func (s *Sink) leaseKey(pipeline, stream string) int64 {
	h := fnv.New64a()
	fmt.Fprint(h, "etl-lease\x00", s.Schema("etl_control"), "\x00", pipeline, "\x00", stream)
	return int64(h.Sum64())
}

// Lease implements connector.Leaser with a session-level advisory lock
// (pg_try_advisory_lock) held on a dedicated connection until release; if
// the process dies, the server releases it with the session.
func (s *Sink) Lease(ctx context.Context, pipeline, stream string, wait time.Duration) (func() error, error) {
	key := s.leaseKey(pipeline, stream)
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: lease %s/%s: %w", pipeline, stream, err)
	}
	deadline := time.Now().Add(wait)
	for {
		var ok bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
			conn.Release()
			return nil, fmt.Errorf("postgres: lease %s/%s: %w", pipeline, stream, err)
		}
		if ok {
			break
		}
		if !time.Now().Before(deadline) {
			conn.Release()
			return nil, fmt.Errorf("postgres: lease %s/%s: %w", pipeline, stream, connector.ErrLeaseHeld)
		}
		select {
		case <-ctx.Done():
			conn.Release()
			return nil, fmt.Errorf("postgres: lease %s/%s: %w", pipeline, stream, ctx.Err())
		case <-time.After(min(100*time.Millisecond, time.Until(deadline)+time.Millisecond)):
		}
	}
	var once sync.Once
	return func() error {
		var err error
		once.Do(func() { err = unlock(conn, key) })
		if err != nil {
			return fmt.Errorf("postgres: release lease %s/%s: %w", pipeline, stream, err)
		}
		return nil
	}, nil
}

func unlock(conn *pgxpool.Conn, key int64) error {
	defer conn.Release()
	var ok bool
	if err := conn.QueryRow(context.Background(), `SELECT pg_advisory_unlock($1)`, key).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return errors.New("the lease was not held")
	}
	return nil
}
