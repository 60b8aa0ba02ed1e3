-- Which answers existed when a call was transferred (call_transfers_with_answers) is recorded when the
-- call's fact is made by the statistics flush (Functions/statistics_insert_facts.sql), off the call's path,
-- not by a trigger on the statement that ends the call.
drop trigger if exists calls_transferred_with_answers on calls;
drop function if exists calls_transferred_with_answers();
