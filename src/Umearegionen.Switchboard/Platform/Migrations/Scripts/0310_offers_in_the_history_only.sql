-- Offers are recorded once, in the call's history (docs/call-cost.md, P2). Every offer is an `offered`
-- event naming the operator and the expiry, and how it ended is the call's next event of the offer's
-- endings (accepted, offer_declined, offer_timed_out, offer_withdrawn, or platform_ended when the caller
-- hung up while it rang); the open offer is the call's offered_to and offer_expires_at. The offers table
-- wrote the same again at every offer (an insert, an update that was not HOT, three index entries) and
-- nothing in the service read it.
drop table offers;
