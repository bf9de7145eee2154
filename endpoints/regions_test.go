package endpoints

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/models"
)

func TestAvailableRegions(t *testing.T) {
	ddb, err := models.Load("dynamodb")
	require.NoError(t, err)
	regions, err := AvailableRegions(ddb, "")
	require.NoError(t, err)
	require.Contains(t, regions, "us-east-1")
	require.Contains(t, regions, "eu-west-1")
	require.NotContains(t, regions, "us-east-1-fips", "FIPS pseudo-regions are not regions")
	require.NotContains(t, regions, "local")
	require.IsIncreasing(t, regions)

	cn, err := AvailableRegions(ddb, "aws-cn")
	require.NoError(t, err)
	require.Equal(t, []string{"cn-north-1", "cn-northwest-1"}, cn)

	_, err = AvailableRegions(ddb, "aws-mars")
	require.ErrorContains(t, err, `unknown partition "aws-mars"`)
}
