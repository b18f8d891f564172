/**
 * The example of a channel written by a third party: {@link
 * dev.switchboard.samples.jsonchannel.JsonWebhookChannel} connects the runtime to any provider that
 * speaks plain JSON over HTTP, and is written against {@code channel-api} alone (with the JDK's HTTP
 * client, Jackson and SLF4J), never the runtime or Twilio. Its tests show the two things a channel
 * author writes besides the channel: a fake of the provider on a loopback socket, and a class that
 * extends the contract kit ({@code dev.switchboard.channel.testkit.ChannelContractTest} from the
 * {@code test-jar} of {@code channel-api}) with a fixture on that fake.
 *
 * <h2>The wire format</h2>
 *
 * <p>Every request, in both directions, is a {@code POST} of {@code application/json} in UTF-8 with
 * the header {@code X-Signature-256: sha256=} followed by the lower-case hex HMAC-SHA256 of the raw
 * body under the secret the provider and the channel share. The channel compares signatures in
 * constant time and answers a missing, malformed or wrong one with 403 and the reason, before it
 * reads the body; a signed body it cannot read gets 400 and the reason (never a quote of the body).
 *
 * <ul>
 *   <li>Incoming message, provider to the channel's webhook path ({@code /webhooks/json}): {@code
 *       {"id": "m-1", "from": "+15557654321", "to": "+15551234567", "text": "hello"}}. {@code id}
 *       is the provider's id for the message, at most 256 characters, and the host's key for
 *       dropping a repeated webhook. Answered {@code 200 {"status":"received"}}.
 *   <li>Delivery report, provider to the delivery path ({@code /webhooks/json/delivery}): {@code
 *       {"id": "m-2", "to": "+15557654321", "status": "delivered"}}, with {@code "error_code"} (a
 *       string or an integer) on a failure. Statuses: {@code queued sending sent delivered
 *       undelivered failed read canceled}; a report with another status is answered 200 and
 *       ignored, with a warning.
 *   <li>Send, channel to the provider's URL: {@code {"from": <the channel's address>, "to": ...,
 *       "text": ...}}. A 2xx answer carries {@code {"id": "m-3"}} and optionally {@code "status"}.
 *       An error answer may carry {@code {"code": "..."}}, which the channel passes on: 429 (with
 *       {@code Retry-After} in seconds) and a failed connection are retriable and certainly not
 *       sent; a 5xx or no answer within the read timeout are retriable and maybe sent; 401 and 403
 *       are a configuration error; any other 4xx is permanent, {@code recipient_opted_out} marking
 *       an opt-out.
 * </ul>
 *
 * <p>A production provider would also sign a timestamp, so that an old request cannot be replayed
 * days later; here a replay within the host's dedupe window is dropped by its id, and one after it
 * would be taken as new. Logs name addresses only redacted and never carry a text, the secret or a
 * signature.
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.samples.jsonchannel;
