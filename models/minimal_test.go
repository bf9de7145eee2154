//go:build aioaws_minimal && aioaws_dynamodb && !aioaws_s3

package models

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMinimalBuildWithDynamoDB runs in a build such as
// go test -tags aioaws_minimal,aioaws_dynamodb: the default Loader has DynamoDB and says how
// to add S3.
func TestMinimalBuildWithDynamoDB(t *testing.T) {
	infos, err := Services()
	require.NoError(t, err)
	require.Contains(t, serviceNames(infos), "dynamodb")
	require.NotContains(t, serviceNames(infos), "s3")
	ddb, err := Lookup("dynamodb")
	require.NoError(t, err)
	require.NotEmpty(t, ddb.Operations)
	_, err = Lookup("s3")
	require.EqualError(t, err, `models: service "s3" is not embedded in this build (built with aioaws_minimal): add the build tag aioaws_s3 or set AIOAWS_DATA_PATH`)
	_, err = Default().Partitions()
	require.NoError(t, err)
}
