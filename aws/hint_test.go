package aws

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLengthHintFollowsLongerAtOnceAndShorterSlowly(t *testing.T) {
	var h LengthHint
	require.Equal(t, 0, h.Len())
	h.Learn(11, 256)
	require.Equal(t, 11, h.Len())
	h.Learn(2, 256) // a LastEvaluatedKey after the items
	require.Equal(t, 9, h.Len())
	h.Learn(1000, 256)
	require.Equal(t, 256, h.Len(), "bounded")
	for range 100 {
		h.Learn(3, 256)
	}
	require.Equal(t, 3, h.Len(), "reaches a shorter length in the end")
}
