package async

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

func listeners[T any](f *Future[T]) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.listeners)
}

// TestAllAnyUnwatch checks that All and Any, when they return early, leave no reference to
// their channel in the futures still running.
func TestAllAnyUnwatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := Go(t.Context(), func(context.Context) (int, error) {
			time.Sleep(time.Hour)
			return 1, nil
		})
		fail := Go(t.Context(), func(context.Context) (int, error) {
			time.Sleep(time.Second)
			return 0, errors.New("fail")
		})
		ok := Go(t.Context(), func(context.Context) (int, error) {
			time.Sleep(2 * time.Second)
			return 2, nil
		})

		_, err := All(t.Context(), slow, fail, slow)
		require.Error(t, err)
		require.Zero(t, listeners(slow), "All left a listener")

		v, err := Any(t.Context(), slow, fail, ok)
		require.NoError(t, err)
		require.Equal(t, 2, v)
		require.Zero(t, listeners(slow), "Any left a listener")

		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err = All(ctx, slow)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Zero(t, listeners(slow), "All left a listener when its ctx ended")

		// Two calls watching the same future are both told.
		done := make(chan []int, 2)
		for range 2 {
			go func() {
				got, _ := All(t.Context(), slow, slow)
				done <- got
			}()
		}
		synctest.Wait()
		require.Equal(t, 4, listeners(slow))
		require.Equal(t, []int{1, 1}, <-done)
		require.Equal(t, []int{1, 1}, <-done)
		require.Zero(t, listeners(slow))
	})
}
