package sink_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

func TestOpen(t *testing.T) {
	ctx := context.Background()
	w, err := sink.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "w.db"), connector.TimeUTC)
	require.NoError(t, err)
	defer w.Close()
	require.IsType(t, &sqlite.Sink{}, w.Sink)
	store, err := w.TokenStore(ctx)
	require.NoError(t, err)
	require.NoError(t, store.Save(ctx, tokenstore.Token{Platform: "shopee", Account: "1", AccessToken: "a"}))

	_, err = sink.Open(ctx, "mysql://etl:s3cret@db/x", connector.TimeUTC)
	require.ErrorContains(t, err, "unsupported URL")
	require.NotContains(t, err.Error(), "s3cret")
}

func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	w, err := sink.Open(context.Background(), "sqlite:"+filepath.Join(dir, "facolos.db"), connector.TimeUTC)
	if err != nil {
		panic(err)
	}
	defer w.Close()
	fmt.Printf("%T %s\n", w.Sink, w.Tokens.Name)
	// Output: *sqlite.Sink sqlite
}
