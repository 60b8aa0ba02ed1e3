-- Routing: after-call work (efterarbete). When an available operator ends a call they enter the
-- wrap_up status until after_call_until (Routing:AfterCallWork after the call ended). The offers need
-- nothing new: they already take only operators whose status is 'available'. The leader's sweeper makes
-- an operator whose time has passed available again (Sweeper.cs), so the end is noticed on any node
-- without a timer per operator. Null while the operator is not in after-call work, and for a wrap_up
-- the operator chose themselves (it lasts until they change it).
--
-- Numbered in routing's range; see 0301 on order.
alter table operators add column after_call_until timestamptz;
