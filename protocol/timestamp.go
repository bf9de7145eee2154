package protocol

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Timestamp formats, as models name them.
const (
	ISO8601       = "iso8601"
	RFC822        = "rfc822"
	UnixTimestamp = "unixTimestamp"
)

// FormatTime renders t in the named format (UTC; fractional seconds only when present, to the
// millisecond as AWS does).
func FormatTime(t time.Time, format string) string {
	t = t.UTC()
	switch format {
	case RFC822:
		return t.Format(http.TimeFormat)
	case UnixTimestamp:
		return FormatEpoch(t)
	}
	if t.Nanosecond()/1e6 == 0 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return t.Format("2006-01-02T15:04:05.000Z")
}

// FormatEpoch renders t as seconds since the epoch, with milliseconds when present.
func FormatEpoch(t time.Time) string {
	ms := t.UnixMilli()
	if ms%1000 == 0 {
		return strconv.FormatInt(ms/1000, 10)
	}
	return strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)
}

var errTimestamp = errors.New("malformed timestamp")

// ParseTime parses a timestamp in the named format. Servers are not always true to the model,
// so every format is tried when the named one fails: epoch seconds, ISO 8601 (any offset,
// any fraction) and HTTP dates.
func ParseTime(s, format string) (time.Time, error) {
	s = strings.TrimSpace(s)
	parsers := []func(string) (time.Time, error){parseISO8601, parseHTTPDate, parseEpochString}
	switch format {
	case RFC822:
		parsers[0], parsers[1] = parsers[1], parsers[0]
	case UnixTimestamp:
		parsers[0], parsers[2] = parsers[2], parsers[0]
	}
	for _, p := range parsers {
		if t, err := p(s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errTimestamp
}

// EpochTime converts seconds since the epoch to a time, keeping milliseconds.
func EpochTime(f float64) time.Time {
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC()
}

func parseEpochString(s string) (time.Time, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, errTimestamp
	}
	return EpochTime(f), nil
}

func parseISO8601(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	// Lower-case t/z and a missing zone, which some services send.
	for _, layout := range []string{"2006-01-02t15:04:05.999999999z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errTimestamp
}

func parseHTTPDate(s string) (time.Time, error) {
	for _, layout := range []string{http.TimeFormat, time.RFC1123, time.RFC1123Z, "Mon, 2 Jan 2006 15:04:05 GMT", "Mon, _2 Jan 2006 15:04:05.999 GMT", time.RFC850, time.ANSIC} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errTimestamp
}
