package lazada

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/facolos/etl/tokenstore"
)

// Error kinds, matched with errors.Is on an *APIError.
var (
	// ErrTokenExpired: the access token is invalid or expired
	// (IllegalAccessToken); the client refreshes once and retries.
	ErrTokenExpired = errors.New("lazada: access token invalid or expired")
	// ErrRefreshInvalid: the auth host refused the refresh token
	// (IllegalRefreshToken, AUTH_TYPE_UNSUPPORTED) or the authorisation
	// code (InvalidCode). It matches tokenstore.ErrRefreshRejected too, so
	// the token store marks the account for re-authorisation.
	ErrRefreshInvalid = errors.New("lazada: refresh token or authorisation code refused")
	// ErrBadSign: the platform rejected the signature (IncompleteSignature).
	ErrBadSign = errors.New("lazada: signature refused")
	// ErrThrottled: flow control (ApiCallLimit, AppCallLimit, HTTP 429);
	// the platform bans the API for one second, the client waits and
	// retries.
	ErrThrottled = errors.New("lazada: throttled")
	// ErrInvalidParam: the request was refused as invalid (MissingParameter,
	// the numeric codes of /orders/get and /orders/items/get).
	ErrInvalidParam = errors.New("lazada: invalid parameter")
	// ErrServer: the platform failed (ServiceTimeout, any type SYSTEM,
	// HTTP 5xx, code 6 outside /orders/get); retried.
	ErrServer = errors.New("lazada: server error")
	// ErrBadResponse: an answer of an unexpected shape (not an envelope,
	// success without data, a page that contradicts its countTotal, an
	// order missing from an items answer).
	ErrBadResponse = errors.New("lazada: unexpected answer")
	// ErrReauthorize: the refresh token is dead; the seller must authorise
	// the app again (examples/authorize -platform lazada).
	ErrReauthorize = tokenstore.ErrReauthorize
)

// Platform codes the client recognises (contract §5.2).
const (
	CodeOK                  = "0"
	CodeIllegalAccessToken  = "IllegalAccessToken"
	CodeIllegalRefreshToken = "IllegalRefreshToken"
	CodeAuthTypeUnsupported = "AUTH_TYPE_UNSUPPORTED"
	CodeInvalidCode         = "InvalidCode"
	CodeIncompleteSignature = "IncompleteSignature"
	CodeMissingParameter    = "MissingParameter"
	CodeApiCallLimit        = "ApiCallLimit"
	CodeAppCallLimit        = "AppCallLimit"
	CodeServiceTimeout      = "ServiceTimeout"
	CodeInvalidOffset       = "14"
	CodeInvalidDate         = "17"
	CodeInvalidLimit        = "19"
	CodeInvalidStatus       = "36"
	CodeSystemOrStatus      = "6" // invalid status filter on /orders/get, system error elsewhere
	CodeInvalidSortDir      = "74"
	CodeInvalidSortBy       = "75"
	CodeBadOrderIDs         = "37"
	CodeTooManyOrders       = "38"
	CodeNoOrders            = "39"
	CodeBadIDListFormat     = "56"
)

// APIError is an error envelope ({type, code, message, request_id}, sent
// with HTTP 200) or an HTTP failure without one.
type APIError struct {
	Endpoint   string
	HTTPStatus int
	// Code is the platform's code ("IllegalAccessToken", "14"); "" when the
	// body was not an envelope.
	Code string
	// Type is ISV, ISP or SYSTEM (advisory).
	Type      string
	Message   string
	RequestID string
	// kind, when set, is the error kind of a client-side finding
	// (ErrBadResponse).
	kind error
}

// Error describes the error with the endpoint, code and request id.
func (e *APIError) Error() string {
	return fmt.Sprintf("lazada %s: code %q (%s): %s (HTTP %d, request %s)", e.Endpoint, e.Code, e.Type, e.Message, e.HTTPStatus, e.RequestID)
}

// Is matches the error kinds on the code (the type is advisory).
func (e *APIError) Is(target error) bool {
	if e.kind != nil && target == e.kind {
		return true
	}
	switch target {
	case ErrTokenExpired:
		return e.Code == CodeIllegalAccessToken
	case ErrRefreshInvalid, tokenstore.ErrRefreshRejected:
		return e.Code == CodeIllegalRefreshToken || e.Code == CodeAuthTypeUnsupported || e.Code == CodeInvalidCode
	case ErrBadSign:
		return e.Code == CodeIncompleteSignature
	case ErrThrottled:
		return e.Code == CodeApiCallLimit || e.Code == CodeAppCallLimit || e.HTTPStatus == http.StatusTooManyRequests
	case ErrInvalidParam:
		switch e.Code {
		case CodeMissingParameter, CodeInvalidOffset, CodeInvalidDate, CodeInvalidLimit, CodeInvalidStatus, CodeInvalidSortDir,
			CodeInvalidSortBy, CodeBadOrderIDs, CodeTooManyOrders, CodeNoOrders, CodeBadIDListFormat, CodeFinanceRange, CodeFinanceFeeType:
			return true
		case CodeSystemOrStatus:
			return e.Endpoint == PathOrders
		}
	case ErrServer:
		return e.Code == CodeServiceTimeout || e.Type == "SYSTEM" || e.HTTPStatus >= 500 ||
			(e.Code == CodeSystemOrStatus && e.Endpoint != PathOrders)
	}
	return false
}

// retryable reports whether a platform answer is worth another attempt.
func retryable(err error) bool { return errors.Is(err, ErrServer) || errors.Is(err, ErrThrottled) }

func badResponse(endpoint, requestID, msg string) *APIError {
	return &APIError{Endpoint: endpoint, HTTPStatus: http.StatusOK, Message: msg, RequestID: requestID, kind: ErrBadResponse}
}
