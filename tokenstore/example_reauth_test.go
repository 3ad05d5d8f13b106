package tokenstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/facolos/etl/tokenstore"
)

// A refresh token the platform rejects (its rotation was lost, or it
// expired) marks the account; after the access token expires every call
// fails with ErrReauthorize until a new authorisation is stored.
func ExampleStoreAuthorized() {
	ctx := context.Background()
	store := &tokenstore.Memory{}
	m := &tokenstore.Manager{
		Store: store, Platform: "shopee", Account: "123456",
		Seed: &tokenstore.Token{AccessToken: "at-1", RefreshToken: "rt-1", AccessExpiresAt: time.Now().Add(-time.Second)},
		Refresh: func(ctx context.Context, refreshToken string) (tokenstore.Token, error) {
			return tokenstore.Token{}, fmt.Errorf("error_shop_refresh_token: %w", tokenstore.ErrRefreshRejected)
		},
		Hint: "run examples/authorize",
	}
	_, err := m.AccessToken(ctx)
	fmt.Println(errors.Is(err, tokenstore.ErrReauthorize))

	// The seller authorised again (examples/authorize does this).
	_ = tokenstore.StoreAuthorized(ctx, store, tokenstore.Token{Platform: "shopee", Account: "123456",
		AccessToken: "at-2", RefreshToken: "rt-2", AccessExpiresAt: time.Now().Add(4 * time.Hour)})
	tok, err := m.AccessToken(ctx)
	fmt.Println(tok, err)
	// Output:
	// true
	// at-2 <nil>
}
