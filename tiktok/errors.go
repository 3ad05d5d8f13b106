package tiktok

import (
	"errors"
	"fmt"
	"net/http"
)

// Error kinds, matched with errors.Is on an *APIError.
var (
	// ErrAuth: credentials, signature, scope or shop binding problems that
	// a plain retry does not fix.
	ErrAuth = errors.New("tiktok: authorization failed")
	// ErrTokenExpired: the access token has expired (105002, or an HTTP 401
	// without a platform code); the client refreshes once and retries. It
	// is also an ErrAuth.
	ErrTokenExpired = errors.New("tiktok: access token expired")
	// ErrInvalidCredentials: missing or invalid credentials (36009004): a
	// bad app key or token header, a timestamp outside the window, an
	// unexpected shop_cipher.
	ErrInvalidCredentials = errors.New("tiktok: invalid credentials")
	// ErrBadSign: the platform rejected the signature (106001).
	ErrBadSign = errors.New("tiktok: invalid signature")
	// ErrShopMismatch: the token is not valid for this shop_cipher (101000).
	ErrShopMismatch = errors.New("tiktok: token not valid for this shop")
	// ErrThrottled: too many requests (36009002 or HTTP 429); retried with
	// backoff.
	ErrThrottled = errors.New("tiktok: throttled")
	// ErrInvalidParam: the request was rejected as invalid (21001001, a
	// non-JSON body, a bad page token).
	ErrInvalidParam = errors.New("tiktok: invalid parameter")
	// ErrServer: the platform failed (21011500, 99999999, 36009007, HTTP
	// 5xx); retried.
	ErrServer = errors.New("tiktok: server error")
	// ErrBadResponse: a success answer of unexpected shape (a missing
	// field, a page that ends early, a page token that does not move). It
	// is never read as "nothing new".
	ErrBadResponse = errors.New("tiktok: answer of unexpected shape")
	// ErrReauthorize: the refresh token is expired or revoked; the seller
	// must authorise the app again. Retrying cannot help.
	ErrReauthorize = errors.New("tiktok: refresh token expired or revoked; re-authorise this shop")
)

// Platform error codes (api-contracts.md §1.9).
const (
	CodeThrottled          = 36009002
	CodeInvalidCredentials = 36009004
	CodeTimeout            = 36009007
	CodeInvalidPath        = 36009009
	CodeInvalidMethod      = 36009010
	CodeNotJSON            = 36009022
	CodeIPNotAllowed       = 36009033
	CodeShopMismatch       = 101000
	CodeRefreshExpired     = 105001 // [UNCERTAIN] the auth host's answer to a spent or expired refresh token
	CodeTokenExpired       = 105002
	CodeMissingScope       = 105005
	CodeBadSign            = 106001
	CodeCipherMissing      = 106013
	CodeInvalidParams      = 21001001
	CodeInternal           = 21011500
	CodeSystem             = 99999999
)

// APIError is an error envelope ({code, message, request_id}) returned by
// the platform, or an HTTP failure without one.
type APIError struct {
	Endpoint   string
	HTTPStatus int
	// Code is the platform's code; 0 when the body was not an envelope.
	Code      int
	Message   string
	RequestID string
}

// Error describes the error with the endpoint, code and request id.
func (e *APIError) Error() string {
	return fmt.Sprintf("tiktok %s: code %d: %s (HTTP %d, request %s)", e.Endpoint, e.Code, e.Message, e.HTTPStatus, e.RequestID)
}

// Is matches the error kinds. Only the listed codes count: the whole 360…
// range is not "a token error" (36009002 is throttling).
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrTokenExpired:
		return e.Code == CodeTokenExpired || (e.Code == 0 && e.HTTPStatus == http.StatusUnauthorized)
	case ErrAuth:
		switch e.Code {
		case CodeTokenExpired, CodeInvalidCredentials, CodeBadSign, CodeShopMismatch, CodeMissingScope, CodeIPNotAllowed, CodeRefreshExpired:
			return true
		}
		return e.Code == 0 && (e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden)
	case ErrInvalidCredentials:
		return e.Code == CodeInvalidCredentials
	case ErrBadSign:
		return e.Code == CodeBadSign
	case ErrShopMismatch:
		return e.Code == CodeShopMismatch
	case ErrThrottled:
		return e.Code == CodeThrottled || e.HTTPStatus == http.StatusTooManyRequests
	case ErrInvalidParam:
		switch e.Code {
		case CodeInvalidParams, CodeNotJSON, CodeCipherMissing, CodeInvalidPath, CodeInvalidMethod:
			return true
		}
	case ErrBadResponse:
		return e.Code == 0 && e.HTTPStatus >= 200 && e.HTTPStatus <= 299
	case ErrServer:
		return e.Code == CodeInternal || e.Code == CodeSystem || e.Code == CodeTimeout || e.HTTPStatus >= 500
	}
	return false
}

// retryable reports whether a platform answer is worth another attempt.
func retryable(err error) bool { return errors.Is(err, ErrServer) || errors.Is(err, ErrThrottled) }

// Errors of a search whose answers do not add up; the load fails naming
// the window, its checkpoint before the window.
var (
	// ErrShortRead: a window read twice gave fewer orders than the
	// platform counts for it.
	ErrShortRead = errors.New("tiktok: fewer orders read than the platform counts")
	// ErrPageTokenCycle: a next_page_token came back that the same window
	// had already received (A → B → A).
	ErrPageTokenCycle = errors.New("tiktok: next_page_token cycles")
	// ErrContradictoryCount: total_count contradicts the platform's other
	// answers (a window counting more than its enclosing window left for
	// it, pages going on past the count, a negative count).
	ErrContradictoryCount = errors.New("tiktok: total_count contradicts the search's other answers")
)
