package compile

import (
	"strconv"
	"time"
)

// ParseDuration reads a duration as Argo does (ParseStringToDuration): a
// bare number is seconds, anything else is Go's duration syntax.
func ParseDuration(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(s)
}
