package tokenstore

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Memory is an in-process Store. The zero value is ready to use.
type Memory struct {
	mu     sync.Mutex
	tokens map[string]Token
}

// Load implements Store.
func (m *Memory) Load(_ context.Context, platform, account string) (Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[platform+"\x00"+account]
	if !ok {
		return Token{}, ErrNotFound
	}
	return t, nil
}

// Save implements Store.
func (m *Memory) Save(_ context.Context, tok Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tokens == nil {
		m.tokens = map[string]Token{}
	}
	k := tok.Platform + "\x00" + tok.Account
	if m.tokens[k].Version != tok.Version {
		return ErrConflict
	}
	tok.Version++
	tok.UpdatedAt = time.Now().UTC()
	m.tokens[k] = tok
	return nil
}

// File is a Store in one JSON file, written with mode 0600 through a
// temporary file and an atomic rename, so a crash never leaves a torn file.
// Its compare-and-swap holds within one process; for several processes use
// SQLStore.
type File struct {
	Path string
	mu   sync.Mutex
}

type fileToken struct {
	Platform         string    `json:"platform"`
	Account          string    `json:"account"`
	AccessToken      string    `json:"access_token"`
	RefreshToken     string    `json:"refresh_token"`
	AccessExpiresAt  time.Time `json:"access_expires_at"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at"`
	Version          int64     `json:"version"`
	LockedUntil      time.Time `json:"locked_until"`
	UpdatedAt        time.Time `json:"updated_at"`
	Reauthorize      string    `json:"reauthorize,omitempty"`
}

func (f *File) read() (map[string]fileToken, error) {
	data, err := os.ReadFile(f.Path)
	if os.IsNotExist(err) {
		return map[string]fileToken{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tokenstore: read %s: %w", f.Path, err)
	}
	out := map[string]fileToken{}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("tokenstore: parse %s: %w", f.Path, err)
	}
	return out, nil
}

// Load implements Store.
func (f *File) Load(_ context.Context, platform, account string) (Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	all, err := f.read()
	if err != nil {
		return Token{}, err
	}
	t, ok := all[platform+"/"+account]
	if !ok {
		return Token{}, ErrNotFound
	}
	return Token(t), nil
}

// Save implements Store.
func (f *File) Save(_ context.Context, tok Token) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	all, err := f.read()
	if err != nil {
		return err
	}
	k := tok.Platform + "/" + tok.Account
	if all[k].Version != tok.Version {
		return ErrConflict
	}
	tok.Version++
	tok.UpdatedAt = time.Now().UTC()
	all[k] = fileToken(tok)
	data, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return fmt.Errorf("tokenstore: encode: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), ".tokens-*")
	if err != nil {
		return fmt.Errorf("tokenstore: write %s: %w", f.Path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("tokenstore: write %s: %w", f.Path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("tokenstore: write %s: %w", f.Path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("tokenstore: write %s: %w", f.Path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("tokenstore: write %s: %w", f.Path, err)
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
		return fmt.Errorf("tokenstore: write %s: %w", f.Path, err)
	}
	return nil
}
