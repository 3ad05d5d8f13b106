package sqlite

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/facolos/etl/connector"
)

// ReadTable returns every row of t ordered by primary key, with the value
// types of connector (string, int64, connector.Dec, bool, time.Time in UTC,
// connector.RawJSON, nil). It reads the whole table into memory: for tests,
// checks and small tables.
func (s *Sink) ReadTable(ctx context.Context, t *connector.Table) ([][]any, error) {
	name := TableName(t.Schema, t.Name)
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = q(c.Name)
	}
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s ORDER BY %s", strings.Join(cols, ", "), q(name), strings.Join(quoteAll(t.PrimaryKey), ", ")))
	if err != nil {
		return nil, fmt.Errorf("sqlite: read %s: %w", name, err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		raw := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("sqlite: read %s: %w", name, err)
		}
		row := make([]any, len(cols))
		for i, c := range t.Columns {
			if row[i], err = s.fromDB(c, raw[i]); err != nil {
				return nil, fmt.Errorf("sqlite: read %s.%s: %w", name, c.Name, err)
			}
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

func (s *Sink) fromDB(c connector.Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	str := func() string {
		switch x := v.(type) {
		case string:
			return x
		case []byte:
			return string(x)
		}
		return fmt.Sprint(v)
	}
	switch c.Type {
	case connector.Int:
		if i, ok := v.(int64); ok {
			return i, nil
		}
		return nil, fmt.Errorf("not an integer: %v", v)
	case connector.Bool:
		if i, ok := v.(int64); ok {
			return i != 0, nil
		}
		return nil, fmt.Errorf("not a boolean: %v", v)
	case connector.Decimal:
		return readDecimal(v, str)
	case connector.Timestamp:
		return parseTime(str(), s.cfg.TimeBasis)
	case connector.JSON:
		return connector.RawJSON(str()), nil
	}
	return str(), nil
}

func parseTime(v string, basis connector.TimeBasis) (time.Time, error) {
	if strings.HasSuffix(v, "Z") {
		t, err := time.Parse("2006-01-02T15:04:05.999999999Z", v)
		return t.UTC(), err
	}
	loc := time.UTC
	if basis == connector.TimeVietnam {
		loc = connector.Vietnam
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", v, loc)
	return t.UTC(), err
}

// Lease implements connector.Leaser with a row per (pipeline, stream) in
// etl_control_leases holding an expiry that the holder renews; a lease whose
// holder died expires after Config.LeaseTTL.
func (s *Sink) Lease(ctx context.Context, pipeline, stream string, wait time.Duration) (func() error, error) {
	ttl := s.cfg.LeaseTTL
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	var id [12]byte
	_, _ = rand.Read(id[:])
	holder := hex.EncodeToString(id[:])
	deadline := time.Now().Add(wait)
	for {
		now := time.Now()
		res, err := s.db.ExecContext(ctx, `INSERT INTO `+q(leasesTable)+` (pipeline, stream, holder, expires_at) VALUES (?,?,?,?)
			ON CONFLICT (pipeline, stream) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE `+q(leasesTable)+`.expires_at < ?`,
			pipeline, stream, holder, formatTime(now.Add(ttl), connector.TimeUTC), formatTime(now, connector.TimeUTC))
		if err != nil {
			return nil, fmt.Errorf("sqlite: lease %s/%s: %w", pipeline, stream, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			break
		}
		if !time.Now().Before(deadline) {
			return nil, fmt.Errorf("sqlite: lease %s/%s: %w", pipeline, stream, connector.ErrLeaseHeld)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("sqlite: lease %s/%s: %w", pipeline, stream, ctx.Err())
		case <-time.After(min(100*time.Millisecond, time.Until(deadline)+time.Millisecond)):
		}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(ttl / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				_, _ = s.db.Exec(`UPDATE `+q(leasesTable)+` SET expires_at = ? WHERE pipeline = ? AND stream = ? AND holder = ?`,
					formatTime(time.Now().Add(ttl), connector.TimeUTC), pipeline, stream, holder)
			}
		}
	}()
	var once sync.Once
	return func() error {
		var err error
		once.Do(func() {
			close(stop)
			<-done
			_, err = s.db.Exec(`DELETE FROM `+q(leasesTable)+` WHERE pipeline = ? AND stream = ? AND holder = ?`, pipeline, stream, holder)
		})
		if err != nil {
			return fmt.Errorf("sqlite: release lease %s/%s: %w", pipeline, stream, err)
		}
		return nil
	}, nil
}
