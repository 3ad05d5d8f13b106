package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// A warehouse created before payload_encoding existed is upgraded in
// place: old rows read as text, new binary payloads round-trip.
func TestQuarantineUpgradedInPlace(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE etl_control_rejected_records (id INTEGER PRIMARY KEY AUTOINCREMENT, pipeline TEXT NOT NULL,
		stream TEXT NOT NULL, record_key TEXT, reason TEXT NOT NULL, payload TEXT, run_id TEXT, rejected_at TIMESTAMP_TEXT NOT NULL)`)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO etl_control_rejected_records (pipeline, stream, record_key, reason, payload, rejected_at)
		VALUES ('p', 's', 'OLD', 'old reason', '{"old":true}', '2025-01-01T00:00:00.000000Z')`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s, err := sqlite.Open(ctx, sqlite.Config{Path: path})
	require.NoError(t, err)
	defer s.Close()
	bin := []byte("\x00\xff\xfe raw")
	require.NoError(t, s.Write(ctx, &connector.Batch{Pipeline: "p", Stream: "s", Rejected: []connector.Rejection{
		{Key: "NEW", Reason: "bad", Payload: bin, At: time.Now()}}}))
	rej, err := s.ReadRejected(ctx, "p", "s")
	require.NoError(t, err)
	require.Len(t, rej, 2)
	require.Equal(t, `{"old":true}`, string(rej[0].Payload))
	require.Equal(t, bin, []byte(rej[1].Payload))
}
