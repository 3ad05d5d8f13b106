package tokenstore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/facolos/etl/tokenstore"
)

func ExampleManager() {
	ctx := context.Background()
	store := &tokenstore.Memory{}
	m := &tokenstore.Manager{
		Store: store, Platform: "shopee", Account: "123456",
		// First run: the tokens from configuration, about to expire.
		Seed: &tokenstore.Token{AccessToken: "at-old", RefreshToken: "rt-old", AccessExpiresAt: time.Now().Add(time.Minute)},
		Refresh: func(ctx context.Context, refreshToken string) (tokenstore.Token, error) {
			// Call the platform's refresh endpoint here.
			return tokenstore.Token{AccessToken: "at-new", RefreshToken: "rt-new", AccessExpiresAt: time.Now().Add(4 * time.Hour)}, nil
		},
	}
	tok, _ := m.AccessToken(ctx) // expires within the 300 s buffer: refreshed
	saved, _ := store.Load(ctx, "shopee", "123456")
	fmt.Println(tok, saved.RefreshToken)
	// Output: at-new rt-new
}
