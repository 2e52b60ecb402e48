package bus

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
)

// retry runs f until it succeeds, fails with an error again does not
// accept, or ctx ends, waiting first and then twice as long each time, up
// to five seconds.
func retry(ctx context.Context, first time.Duration, again func(error) bool, f func(context.Context) error) error {
	wait := first
	for {
		err := f(ctx)
		if err == nil || ctx.Err() != nil || !again(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// retryAdmin runs a JetStream administrative request (creating or
// updating a stream) until the broker answers it. A worker or publisher
// started while the broker is restarting, or too busy to answer within
// the client's default five seconds, waits for it instead of exiting: a
// backfill's workers are started once and left to run.
func retryAdmin(ctx context.Context, f func(context.Context) error) error {
	return retry(ctx, 200*time.Millisecond, brokerBusy, f)
}

// brokerBusy says whether err means the broker did not answer (yet), as
// opposed to refusing the request.
func brokerBusy(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrNoResponders) || errors.Is(err, nats.ErrConnectionReconnecting) ||
		errors.Is(err, nats.ErrDisconnected)
}
