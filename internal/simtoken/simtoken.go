// Package simtoken is the token state the platform simulators share:
// access tokens with their expiry, refresh tokens with the deadline of the
// seller's authorisation (a refresh passes it on: refreshing never extends
// it), single-use authorisation codes, and the count of refreshes granted.
// Times are the simulator's clock, passed in by the caller.
package simtoken

import "time"

// Book holds the tokens of one simulated app and seller. It is not safe
// for concurrent use: the simulator holds its own lock around every call.
type Book struct {
	accessTTL               time.Duration
	accessName, refreshName func(n int) string
	access, refresh, codes  map[string]time.Time
	issued, refreshes       int
}

// New returns a book whose tokens are named by accessName and refreshName
// (the n-th pair issued; 0 is the initial pair), with the initial pair
// issued at now: the access token valid accessTTL (so is every later
// one), the refresh token refreshTTL.
func New(accessTTL, refreshTTL time.Duration, accessName, refreshName func(n int) string, now time.Time) *Book {
	b := &Book{accessTTL: accessTTL, accessName: accessName, refreshName: refreshName,
		access: map[string]time.Time{}, refresh: map[string]time.Time{}, codes: map[string]time.Time{}}
	b.access[accessName(0)] = now.Add(accessTTL)
	b.refresh[refreshName(0)] = now.Add(refreshTTL)
	return b
}

// Issue issues the next pair at now: the access token valid the book's
// access life, the refresh token until deadline.
func (b *Book) Issue(now, deadline time.Time) (access, refresh string, accessExpiry time.Time) {
	b.issued++
	access, refresh, accessExpiry = b.accessName(b.issued), b.refreshName(b.issued), now.Add(b.accessTTL)
	b.access[access] = accessExpiry
	b.refresh[refresh] = deadline
	return access, refresh, accessExpiry
}

// Access returns when the access token tok expires; ok is false for a
// token never issued.
func (b *Book) Access(tok string) (expiry time.Time, ok bool) {
	expiry, ok = b.access[tok]
	return expiry, ok
}

// Refresh exchanges the refresh token old, alive at now, for a new pair
// that keeps its deadline, and counts the refresh; rotate revokes old (a
// platform that rotates refresh tokens), otherwise it stays usable until
// its deadline. ok is false, and nothing changes, when old was never
// issued, was revoked or is past its deadline.
func (b *Book) Refresh(old string, now time.Time, rotate bool) (access, refresh string, accessExpiry, deadline time.Time, ok bool) {
	deadline, ok = b.refresh[old]
	if !ok || !now.Before(deadline) {
		return "", "", time.Time{}, time.Time{}, false
	}
	if rotate {
		delete(b.refresh, old)
	}
	access, refresh, accessExpiry = b.Issue(now, deadline)
	b.refreshes++
	return access, refresh, accessExpiry, deadline, true
}

// AddCode makes code an authorisation code valid until expiry.
func (b *Book) AddCode(code string, expiry time.Time) { b.codes[code] = expiry }

// UseCode spends code: it reports whether code was valid at now, and a
// valid code is never valid again.
func (b *Book) UseCode(code string, now time.Time) bool {
	exp, ok := b.codes[code]
	if !ok || !now.Before(exp) {
		return false
	}
	delete(b.codes, code)
	return true
}

// ExpireAccess makes every access token expire at now (a second before).
func (b *Book) ExpireAccess(now time.Time) {
	for k := range b.access {
		b.access[k] = now.Add(-time.Second)
	}
}

// ExpireRefresh makes every refresh token expire at now (a second before):
// the seller's authorisation ended.
func (b *Book) ExpireRefresh(now time.Time) {
	for k := range b.refresh {
		b.refresh[k] = now.Add(-time.Second)
	}
}

// Refreshes returns how many refreshes were granted.
func (b *Book) Refreshes() int { return b.refreshes }
