// Package tokenstore keeps API tokens between runs and hands out valid access
// tokens.
//
// A Store persists one Token per (platform, account). Every Save is a
// compare-and-swap on Token.Version, so two processes sharing a SQL store
// cannot overwrite each other's tokens. The Manager refreshes a token ahead
// of its expiry (or when the API says it expired), lets one refresh run at a
// time per account (in-process single flight, plus a claim written through
// the store's compare-and-swap so that two processes never both spend a
// single-use refresh token), and persists the new pair before handing out the
// new access token.
//
// A refresh token the platform rejected (spent by a refresh whose answer was
// lost, expired, revoked) is never presented again by any process: the
// Manager marks the stored token "needs re-authorisation" (Token.Reauthorize)
// in the same compare-and-swap that releases its claim; every Manager on the
// store then keeps using the current access token while it is valid and
// afterwards fails with an error matching ErrReauthorize that names the
// platform, the account and the fix (a new authorisation, for example with
// examples/authorize, which stores a fresh pair and clears the mark).
//
// Refreshes are rate-limited per account: a refreshed access token whose
// expiry has already passed is used until the platform rejects it (its
// expiry is treated as unknown, with a warning), and a Manager does not
// refresh ahead of expiry again within MinRefreshInterval of its last
// refresh. A token the platform rejects (Invalidate) is always refreshed.
//
// Times are stored in UTC.
package tokenstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMinRefreshInterval is the least time between two refreshes of one
// account's token by a Manager unless the platform rejects the token: an
// access token lives hours or days on every platform, so a refresh sooner
// than this means the expiry the platform reported cannot be trusted.
const DefaultMinRefreshInterval = 5 * time.Minute

// Token is the credential set of one platform account.
type Token struct {
	// Platform ("shopee", "tiktok_shop", "misa_crm") and Account (shop id,
	// tenant) form the key.
	Platform string
	Account  string

	AccessToken  string
	RefreshToken string
	// AccessExpiresAt is when the access token expires (zero: unknown; the
	// token is then used until the API rejects it).
	AccessExpiresAt time.Time
	// RefreshExpiresAt is when the refresh token expires (zero: unknown).
	RefreshExpiresAt time.Time

	// Version is the number of times the token was saved; Save is a
	// compare-and-swap on it. 0 means "not stored yet".
	Version int64
	// LockedUntil is set while a process refreshes the token: others wait
	// until the refresh lands or this time passes.
	LockedUntil time.Time
	// UpdatedAt is the time of the last save (set by the store).
	UpdatedAt time.Time
	// Reauthorize, when not empty, says why the account needs a new
	// authorisation by the seller: the platform rejected its refresh token.
	// No Manager refreshes such a token; storing a new pair with an empty
	// Reauthorize clears the mark.
	Reauthorize string
}

// String hides the secrets, so a Token can be logged.
func (t Token) String() string {
	return fmt.Sprintf("Token{%s/%s version %d, access token expires %s}", t.Platform, t.Account, t.Version, t.AccessExpiresAt.UTC().Format(time.RFC3339))
}

// Errors of Store implementations.
var (
	// ErrNotFound: no token is stored for the key.
	ErrNotFound = errors.New("tokenstore: no token stored")
	// ErrConflict: the stored version is not the one the caller loaded.
	ErrConflict = errors.New("tokenstore: token was changed concurrently")
	// ErrRefreshRejected is matched (errors.Is) by a RefreshFunc's error when
	// the platform refused the refresh token itself (spent, expired,
	// revoked), as opposed to a network or server failure. Platform packages
	// make their errors match it.
	ErrRefreshRejected = errors.New("tokenstore: refresh token rejected by the platform")
	// ErrReauthorize is matched by the Manager's errors once an account needs
	// a new authorisation by the seller.
	ErrReauthorize = errors.New("needs re-authorisation")
)

// ReauthorizeError is the error of an account that needs a new
// authorisation. It matches ErrReauthorize.
type ReauthorizeError struct {
	Platform, Account string
	// Reason is why (the platform's answer to the last refresh).
	Reason string
	// Hint is the fix (Manager.Hint).
	Hint string
}

// Error names the platform, the account, the reason and the fix.
func (e *ReauthorizeError) Error() string {
	return fmt.Sprintf("%s account %s needs re-authorisation by the seller (%s); fix: %s", e.Platform, e.Account, e.Reason, e.Hint)
}

// Is matches ErrReauthorize.
func (e *ReauthorizeError) Is(target error) bool { return target == ErrReauthorize }

// Store persists tokens. Implementations are safe for concurrent use.
type Store interface {
	// Load returns the stored token of (platform, account), or ErrNotFound.
	Load(ctx context.Context, platform, account string) (Token, error)
	// Save stores tok if the stored version still equals tok.Version (0:
	// nothing stored); the stored version becomes tok.Version+1. Otherwise
	// it returns ErrConflict and stores nothing.
	Save(ctx context.Context, tok Token) error
}

// RefreshFunc exchanges a refresh token for a new token pair at the
// platform's auth endpoint. It fills AccessToken, RefreshToken (the old one
// if the platform does not rotate) and the expiry times.
type RefreshFunc func(ctx context.Context, refreshToken string) (Token, error)

// Manager hands out valid access tokens of one platform account. It is safe
// for concurrent use.
type Manager struct {
	// Store persists the tokens (required).
	Store Store
	// Platform and Account are the key in the store.
	Platform, Account string
	// Refresh calls the platform's refresh endpoint (required).
	Refresh RefreshFunc
	// Seed is used when the store holds no token yet (first run: tokens from
	// configuration). Its Version is ignored.
	Seed *Token
	// Buffer: refresh when the access token expires within it (default 300 s).
	Buffer time.Duration
	// ClaimTimeout is how long a refresh claim blocks other processes
	// (default 60 s); a claim older than that is considered abandoned. The
	// refresh call runs under a deadline of three quarters of it, so the
	// claim always outlives the refresh it protects.
	ClaimTimeout time.Duration
	// Hint is the fix named by ErrReauthorize errors (default: authorise the
	// account again with examples/authorize).
	Hint string
	// PollInterval is how often a process waiting for another's refresh
	// re-reads the store (default 200 ms).
	PollInterval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// MinRefreshInterval: after a refresh, the Manager does not refresh
	// again ahead of expiry for this long (default
	// DefaultMinRefreshInterval); it uses the access token until the
	// platform rejects it (Invalidate refreshes at once).
	MinRefreshInterval time.Duration
	// Logger receives the warning about a refreshed token that arrived
	// already expired (default slog.Default()).
	Logger *slog.Logger

	mu          sync.Mutex
	cur         Token
	refreshes   int
	lastRefresh time.Time // Now() of this manager's last refresh
	// Single flight of failures too: obtained counts the finished
	// attempts to obtain a token and failed holds the error of the last
	// one, so callers that queued while an attempt ran share its failure
	// instead of each trying again (a refresh endpoint that is down is
	// asked once, not once per request in flight).
	obtained atomic.Uint64
	failed   error
	// failedOwn: the last attempt failed because its own caller's context
	// ended (such a failure is not shared; a timeout of the refresh call
	// itself, context.DeadlineExceeded too, is).
	failedOwn bool
	queued    atomic.Int32 // callers waiting for mu (tests)
}

// lock takes mu and returns the number of attempts finished before the
// caller queued.
func (m *Manager) lock() uint64 {
	seen := m.obtained.Load()
	m.queued.Add(1)
	m.mu.Lock()
	m.queued.Add(-1)
	return seen
}

// sharedFailure is the failure of an attempt that finished while the
// caller waited (nil if none did, or it succeeded, or it ended with its own
// caller's context).
func (m *Manager) sharedFailure(seen uint64) error {
	if m.obtained.Load() == seen || m.failed == nil || m.failedOwn {
		return nil
	}
	return m.failed
}

// obtainOnce runs obtain and records its outcome for sharedFailure.
func (m *Manager) obtainOnce(ctx context.Context, stale string) (Token, error) {
	tok, err := m.obtain(ctx, stale)
	m.failed, m.failedOwn = err, err != nil && ctx.Err() != nil
	m.obtained.Add(1)
	return tok, err
}

// Refreshes returns how many refreshes this manager performed.
func (m *Manager) Refreshes() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.refreshes
}

// AccessToken returns a valid access token, refreshing it first when it
// expires within Buffer. One caller refreshes at a time; callers that waited
// while a refresh failed get its error rather than trying again (unless it
// was its caller's cancellation), and a caller after that tries again.
func (m *Manager) AccessToken(ctx context.Context) (string, error) {
	seen := m.lock()
	defer m.mu.Unlock()
	if m.cur.AccessToken != "" && (m.fresh(m.cur) || m.refreshedRecently()) {
		return m.cur.AccessToken, nil
	}
	if err := m.sharedFailure(seen); err != nil {
		return "", err
	}
	tok, err := m.obtainOnce(ctx, "")
	if err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

// Invalidate reports that the API rejected access token stale as expired. It
// refreshes unless another caller already replaced stale, and returns the
// access token to retry with.
func (m *Manager) Invalidate(ctx context.Context, stale string) (string, error) {
	seen := m.lock()
	defer m.mu.Unlock()
	if m.cur.AccessToken != "" && m.cur.AccessToken != stale && m.fresh(m.cur) {
		return m.cur.AccessToken, nil
	}
	if err := m.sharedFailure(seen); err != nil {
		return "", err
	}
	tok, err := m.obtainOnce(ctx, stale)
	if err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Manager) fresh(t Token) bool {
	if t.AccessExpiresAt.IsZero() {
		return true
	}
	buf := m.Buffer
	if buf <= 0 {
		buf = 300 * time.Second
	}
	return m.now().Add(buf).Before(t.AccessExpiresAt)
}

// refreshedRecently reports whether this manager refreshed within
// MinRefreshInterval: then no refresh ahead of expiry (m.mu held).
func (m *Manager) refreshedRecently() bool {
	interval := m.MinRefreshInterval
	if interval <= 0 {
		interval = DefaultMinRefreshInterval
	}
	return !m.lastRefresh.IsZero() && m.now().Sub(m.lastRefresh) < interval
}

func (m *Manager) logger() *slog.Logger {
	if m.Logger != nil {
		return m.Logger
	}
	return slog.Default()
}

// valid reports whether t's access token has not expired (ignoring Buffer).
func (m *Manager) valid(t Token) bool {
	return t.AccessExpiresAt.IsZero() || m.now().Before(t.AccessExpiresAt)
}

func (m *Manager) reauthError(reason string) error {
	hint := m.Hint
	if hint == "" {
		hint = fmt.Sprintf("authorise the account again (go run ./examples/authorize -platform %s) to store a new token pair", m.Platform)
	}
	return &ReauthorizeError{Platform: m.Platform, Account: m.Account, Reason: reason, Hint: hint}
}

func (m *Manager) key() string { return m.Platform + "/" + m.Account }

// obtain loads, waits for or performs a refresh. stale, when not empty, is an
// access token the API rejected. Called with m.mu held (single flight).
func (m *Manager) obtain(ctx context.Context, stale string) (Token, error) {
	if m.Store == nil || m.Refresh == nil {
		return Token{}, fmt.Errorf("tokenstore: manager %s needs a Store and a Refresh func", m.key())
	}
	claim := m.ClaimTimeout
	if claim <= 0 {
		claim = 60 * time.Second
	}
	poll := m.PollInterval
	if poll <= 0 {
		poll = 200 * time.Millisecond
	}
	for {
		tok, err := m.Store.Load(ctx, m.Platform, m.Account)
		if errors.Is(err, ErrNotFound) {
			if m.Seed == nil || m.Seed.AccessToken == "" && m.Seed.RefreshToken == "" {
				return Token{}, fmt.Errorf("tokenstore: %s: no token pair (go run ./examples/authorize -platform %s stores one)",
					m.key(), m.Platform)
			}
			seed := *m.Seed
			seed.Platform, seed.Account, seed.Version, seed.LockedUntil = m.Platform, m.Account, 0, time.Time{}
			if err := m.Store.Save(ctx, seed); err != nil && !errors.Is(err, ErrConflict) {
				return Token{}, fmt.Errorf("tokenstore: %s: store configured token: %w", m.key(), err)
			}
			continue
		}
		if err != nil {
			return Token{}, fmt.Errorf("tokenstore: %s: load: %w", m.key(), err)
		}
		now := m.now()
		if tok.Reauthorize != "" {
			// The refresh token is dead: use the access token while it lasts.
			if tok.AccessToken != "" && (stale == "" || tok.AccessToken != stale) && m.valid(tok) {
				m.cur = tok
				return tok, nil
			}
			return Token{}, m.reauthError(tok.Reauthorize)
		}
		usable := tok.AccessToken != "" && (stale == "" || tok.AccessToken != stale) &&
			(m.fresh(tok) || stale == "" && m.refreshedRecently())
		if usable {
			m.cur = tok
			return tok, nil
		}
		if tok.LockedUntil.After(now) {
			// Another process is refreshing: wait for its result.
			select {
			case <-ctx.Done():
				return Token{}, fmt.Errorf("tokenstore: %s: waiting for a refresh by another process: %w", m.key(), ctx.Err())
			case <-time.After(poll):
			}
			continue
		}
		if tok.RefreshToken == "" {
			return Token{}, fmt.Errorf("tokenstore: %s: access token expired and no refresh token is stored", m.key())
		}
		if !tok.RefreshExpiresAt.IsZero() && !now.Before(tok.RefreshExpiresAt) {
			// Presenting an expired refresh token is pointless: mark it.
			marked := tok
			marked.Reauthorize = "the refresh token expired at " + tok.RefreshExpiresAt.UTC().Format(time.RFC3339)
			if err := m.Store.Save(ctx, marked); err != nil && !errors.Is(err, ErrConflict) {
				return Token{}, fmt.Errorf("tokenstore: %s: mark for re-authorisation: %w", m.key(), err)
			}
			continue
		}
		// Claim the refresh so no other process spends the same refresh token.
		// The claim is written without the caller's cancellation: a write
		// cancelled while it runs may have committed (database/sql then
		// reports the cancellation), and a claim left behind would hold
		// every other caller until it times out. A cancelled caller's
		// refresh fails at once below and releases the claim.
		claimed := tok
		claimed.LockedUntil = now.Add(claim)
		if err := m.Store.Save(context.WithoutCancel(ctx), claimed); errors.Is(err, ErrConflict) {
			continue
		} else if err != nil {
			return Token{}, fmt.Errorf("tokenstore: %s: claim refresh: %w", m.key(), err)
		}
		claimed.Version++
		rctx, cancel := context.WithTimeout(ctx, claim*3/4)
		fresh, err := m.Refresh(rctx, tok.RefreshToken)
		cancel()
		if err != nil {
			claimed.LockedUntil = time.Time{}
			rejected := errors.Is(err, ErrRefreshRejected)
			if rejected {
				// Never present this refresh token again, in any process.
				claimed.Reauthorize = "the platform rejected the refresh token: " + err.Error()
			}
			if rerr := m.Store.Save(context.WithoutCancel(ctx), claimed); rerr != nil {
				return Token{}, fmt.Errorf("tokenstore: %s: refresh: %w", m.key(), errors.Join(err, fmt.Errorf("release claim: %w", rerr)))
			}
			claimed.Version++
			if rejected {
				m.cur = claimed
				if claimed.AccessToken != "" && (stale == "" || claimed.AccessToken != stale) && m.valid(claimed) {
					return claimed, nil // go on with the access token while it lasts
				}
				return Token{}, m.reauthError(claimed.Reauthorize)
			}
			return Token{}, fmt.Errorf("tokenstore: %s: refresh: %w", m.key(), err)
		}
		fresh.Platform, fresh.Account = m.Platform, m.Account
		if fresh.RefreshToken == "" {
			fresh.RefreshToken = tok.RefreshToken
		}
		fresh.Version = claimed.Version
		fresh.LockedUntil = time.Time{}
		if at := m.now(); !fresh.AccessExpiresAt.IsZero() && !fresh.AccessExpiresAt.After(at) {
			// Trusting it would refresh before every call: use the token
			// until the platform rejects it.
			m.logger().Warn("tokenstore: the refreshed access token's expiry has already passed; treating it as unknown (the token is used until the platform rejects it)",
				"platform", m.Platform, "account", m.Account, "expires", fresh.AccessExpiresAt.UTC().Format(time.RFC3339), "now", at.UTC().Format(time.RFC3339))
			fresh.AccessExpiresAt = time.Time{}
		}
		// Persist the new pair before anyone uses the new access token: the
		// old refresh token is spent now.
		if err := m.Store.Save(context.WithoutCancel(ctx), fresh); err != nil {
			return Token{}, fmt.Errorf("tokenstore: %s: persist refreshed token: %w", m.key(), err)
		}
		fresh.Version++
		m.refreshes++
		m.lastRefresh = m.now()
		m.cur = fresh
		return fresh, nil
	}
}

// StoreAuthorized stores the token pair of a new authorisation by the seller
// for (tok.Platform, tok.Account), replacing whatever is stored — a pair
// marked "needs re-authorisation" included — and clearing the mark and any
// refresh claim. Every Manager on the store picks the new pair up on its
// next call.
func StoreAuthorized(ctx context.Context, store Store, tok Token) error {
	if tok.Platform == "" || tok.Account == "" || tok.AccessToken == "" {
		return errors.New("tokenstore: a new authorisation needs platform, account and access token")
	}
	tok.Reauthorize, tok.LockedUntil = "", time.Time{}
	for attempt := 0; attempt < 20; attempt++ {
		cur, err := store.Load(ctx, tok.Platform, tok.Account)
		switch {
		case errors.Is(err, ErrNotFound):
			tok.Version = 0
		case err != nil:
			return fmt.Errorf("tokenstore: %s/%s: load: %w", tok.Platform, tok.Account, err)
		default:
			tok.Version = cur.Version
		}
		if err := store.Save(ctx, tok); errors.Is(err, ErrConflict) {
			continue
		} else if err != nil {
			return fmt.Errorf("tokenstore: %s/%s: store the new authorisation: %w", tok.Platform, tok.Account, err)
		}
		return nil
	}
	return fmt.Errorf("tokenstore: %s/%s: store the new authorisation: %w", tok.Platform, tok.Account, ErrConflict)
}
