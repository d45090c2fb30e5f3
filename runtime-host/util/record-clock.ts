// The one clock every time a record shows is read from: its phases (queued, dequeued, init, invoke,
// finished), a debugger's pauses and the spans of the AWS calls it made, which the panel draws on one
// timeline and subtracts from each other. Epoch milliseconds, but counted by the monotonic clock from
// the host's start: the wall clock (Date.now) is slewed by NTP and set by hand, and on this kind of VM
// it ran 200 ppm apart from the monotonic clock, 0.7 s an hour, enough to put a long-running host's
// queue wait before its request arrived. Over a long session a record's absolute time can drift by that
// much from the machine's clock; its spans never drift from each other.
// What a function or an event sees as the time (its deadline, log lines, eventTime, sequence numbers)
// stays on the wall clock, as on Lambda; so do the durable engine's timers, which wait for wall-clock instants.

/** Now, on the records' clock: epoch ms from the monotonic clock. */
export const recordNow = (): number => performance.timeOrigin + performance.now();
