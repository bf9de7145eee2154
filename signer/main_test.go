package signer_test

import (
	"testing"

	"github.com/aioaws/aioaws/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
