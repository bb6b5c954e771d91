// The transaction family: MULTI, EXEC, DISCARD, WATCH, UNWATCH, and the engine's queueing and
// WATCH invalidation they rely on. Expected bytes were taken from redis-server 7.0.15.

#include <string>

#include "unit/commands/engine_fixture.hpp"

namespace basalt::testing {
namespace {

class TransactionsTest : public EngineTest {
 protected:
  // MULTI, one harmless command, EXEC: the EXEC reply tells whether the WATCH held.
  std::string try_exec(size_t i = 0) {
    EXPECT_EQ(run({"MULTI"}, i), kOk);
    EXPECT_EQ(run({"PING"}, i), "+QUEUED\r\n");
    return run({"EXEC"}, i);
  }
};

const std::string kQueued = "+QUEUED\r\n";
const std::string kExecuted = array({"+PONG\r\n"});
const std::string kWrongTypeErr =
    err("WRONGTYPE Operation against a key holding the wrong kind of value");

// --- MULTI / EXEC / DISCARD ------------------------------------------------------------------

TEST_F(TransactionsTest, MultiExecRunsQueueInOrder) {
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"SET", "a", "1"}), kQueued);
  EXPECT_EQ(run({"INCR", "a"}), kQueued);
  EXPECT_EQ(run({"GET", "a"}), kQueued);
  // Nothing ran yet: another client still sees no key.
  EXPECT_EQ(run({"GET", "a"}, 1), kNil);
  EXPECT_EQ(run({"EXEC"}), array({kOk, integer(2), bulk("2")}));
  EXPECT_EQ(run({"GET", "a"}, 1), bulk("2"));
  // The transaction is over.
  EXPECT_EQ(run({"EXEC"}), err("ERR EXEC without MULTI"));
  EXPECT_EQ(run({"GET", "a"}), bulk("2")) << "not queued any more";
}

TEST_F(TransactionsTest, EmptyTransaction) {
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"EXEC"}), "*0\r\n");
}

TEST_F(TransactionsTest, MultiErrors) {
  EXPECT_EQ(run({"MULTI"}), kOk);
  // A nested MULTI is refused by MULTI itself, which does not doom the transaction.
  EXPECT_EQ(run({"MULTI"}), err("ERR MULTI calls can not be nested"));
  EXPECT_EQ(run({"SET", "a", "1"}), kQueued);
  EXPECT_EQ(run({"EXEC"}), array({kOk}));
  EXPECT_EQ(run({"MULTI", "x"}), err("ERR wrong number of arguments for 'multi' command"));
}

TEST_F(TransactionsTest, ExecAndDiscardWithoutMulti) {
  EXPECT_EQ(run({"EXEC"}), err("ERR EXEC without MULTI"));
  EXPECT_EQ(run({"DISCARD"}), err("ERR DISCARD without MULTI"));
  EXPECT_EQ(run({"exec"}, 1), err("ERR EXEC without MULTI"));
}

TEST_F(TransactionsTest, Discard) {
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"SET", "a", "1"}), kQueued);
  EXPECT_EQ(run({"DISCARD"}), kOk);
  EXPECT_EQ(run({"GET", "a"}), kNil);
  EXPECT_EQ(run({"EXEC"}), err("ERR EXEC without MULTI"));
  EXPECT_EQ(run({"DISCARD"}), err("ERR DISCARD without MULTI"));
}

TEST_F(TransactionsTest, QueueingErrorsAbortExec) {
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"SET", "a", "1"}), kQueued);
  EXPECT_EQ(run({"SET", "b"}), err("ERR wrong number of arguments for 'set' command"));
  EXPECT_EQ(run({"SET", "c", "3"}), kQueued);
  EXPECT_EQ(run({"EXEC"}), err("EXECABORT Transaction discarded because of previous errors."));
  EXPECT_EQ(run({"GET", "a"}), kNil) << "nothing of the transaction ran";
  EXPECT_EQ(run({"GET", "c"}), kNil);
  EXPECT_EQ(run({"EXEC"}), err("ERR EXEC without MULTI")) << "the transaction is discarded";

  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"NOSUCH", "x"}),
            err("ERR unknown command 'NOSUCH', with args beginning with: 'x' "));
  EXPECT_EQ(run({"EXEC"}), err("EXECABORT Transaction discarded because of previous errors."));

  // Wrong arity of the control commands themselves counts too.
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"DISCARD", "x"}), err("ERR wrong number of arguments for 'discard' command"));
  EXPECT_EQ(run({"EXEC"}), err("EXECABORT Transaction discarded because of previous errors."));
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"WATCH"}), err("ERR wrong number of arguments for 'watch' command"));
  EXPECT_EQ(run({"EXEC"}), err("EXECABORT Transaction discarded because of previous errors."));
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"MULTI", "x"}), err("ERR wrong number of arguments for 'multi' command"));
  EXPECT_EQ(run({"EXEC"}), err("EXECABORT Transaction discarded because of previous errors."));
}

TEST_F(TransactionsTest, ExecWithArgumentsAbortsWithReason) {
  // Redis refuses EXEC itself with EXECABORT quoting the reason (without ERR), and discards.
  const std::string abort = err(
      "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command");
  EXPECT_EQ(run({"EXEC", "x"}), abort);
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"SET", "a", "1"}), kQueued);
  EXPECT_EQ(run({"EXEC", "x"}), abort);
  EXPECT_EQ(run({"EXEC"}), err("ERR EXEC without MULTI"));
  EXPECT_EQ(run({"GET", "a"}), kNil);
}

TEST_F(TransactionsTest, RuntimeErrorsDoNotAbortTheRest) {
  EXPECT_EQ(run({"LPUSH", "list", "x"}), integer(1));
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"SET", "a", "1"}), kQueued);
  EXPECT_EQ(run({"INCR", "list"}), kQueued);
  EXPECT_EQ(run({"SET", "b", "2"}), kQueued);
  EXPECT_EQ(run({"INCR", "b"}), kQueued);
  EXPECT_EQ(run({"EXEC"}), array({kOk, kWrongTypeErr, kOk, integer(3)}));
  EXPECT_EQ(run({"GET", "b"}), bulk("3"));
}

TEST_F(TransactionsTest, CommandsRunAtExecInTheirOrder) {
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"SELECT", "1"}), kQueued);
  EXPECT_EQ(run({"SET", "k", "in-db-1"}), kQueued);
  EXPECT_EQ(run({"SELECT", "0"}), kQueued);
  EXPECT_EQ(run({"GET", "k"}), kQueued);
  EXPECT_EQ(run({"EXEC"}), array({kOk, kOk, kOk, kNil}));
  EXPECT_EQ(run({"SELECT", "1"}), kOk);
  EXPECT_EQ(run({"GET", "k"}), bulk("in-db-1"));
}

TEST_F(TransactionsTest, BlockingCommandsDoNotBlockInsideExec) {
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"BLPOP", "nolist", "0"}), kQueued);
  EXPECT_EQ(run({"EXEC"}), array({kNilArray}));
  EXPECT_FALSE(client(0).session->blocked);
  // The blocking moves answer a nil bulk there, not a nil array (as redis-server 7.0.15 does).
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"BLMOVE", "nolist", "dst", "LEFT", "LEFT", "0"}), kQueued);
  EXPECT_EQ(run({"BRPOPLPUSH", "nolist", "dst", "0"}), kQueued);
  EXPECT_EQ(run({"EXEC"}), "*2\r\n$-1\r\n$-1\r\n");
  EXPECT_FALSE(client(0).session->blocked);
}

TEST_F(TransactionsTest, Resp3) {
  EXPECT_EQ(run({"HELLO", "3"}).substr(0, 4), "%7\r\n");
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"GET", "missing"}), kQueued);
  EXPECT_EQ(run({"EXEC"}), "*1\r\n_\r\n");
  // An aborted EXEC is a RESP3 null, not *-1.
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"SET", "k", "v"}, 1), kOk);
  EXPECT_EQ(try_exec(), "_\r\n");
}

// --- WATCH -----------------------------------------------------------------------------------

TEST_F(TransactionsTest, WatchHoldsWithoutWrites) {
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"GET", "k"}, 1), bulk("v")) << "reads do not touch";
  EXPECT_EQ(try_exec(), kExecuted);
}

TEST_F(TransactionsTest, WatchInvalidatedByAnotherClientsWrite) {
  EXPECT_EQ(run({"SET", "k", "1"}), kOk);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"SET", "k", "mine"}), kQueued);
  EXPECT_EQ(run({"INCR", "k"}, 1), integer(2));
  EXPECT_EQ(run({"EXEC"}), kNilArray);
  EXPECT_EQ(run({"GET", "k"}), bulk("2")) << "the queued SET did not run";
  // EXEC ended the WATCH: the next transaction runs.
  EXPECT_EQ(try_exec(), kExecuted);
}

TEST_F(TransactionsTest, WatchInvalidatedByOwnWrite) {
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(try_exec(), kNilArray);
}

TEST_F(TransactionsTest, WatchInvalidatedBySameValueWrite) {
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"SET", "k", "v"}, 1), kOk);
  EXPECT_EQ(try_exec(), kNilArray);
}

TEST_F(TransactionsTest, WatchInvalidatedByDel) {
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"DEL", "k"}, 1), integer(1));
  EXPECT_EQ(try_exec(), kNilArray);
}

TEST_F(TransactionsTest, WatchNotInvalidatedByDelOfMissingKey) {
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"DEL", "k"}, 1), integer(0));
  EXPECT_EQ(try_exec(), kExecuted);
}

TEST_F(TransactionsTest, WatchOfMissingKeyInvalidatedByCreation) {
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"LPUSH", "k", "x"}, 1), integer(1));
  EXPECT_EQ(try_exec(), kNilArray);
}

TEST_F(TransactionsTest, WatchInvalidatedByExpire) {
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"EXPIRE", "k", "100"}, 1), integer(1));
  EXPECT_EQ(try_exec(), kNilArray);
}

TEST_F(TransactionsTest, WatchInvalidatedByKeyExpiring) {
  EXPECT_EQ(run({"SET", "k", "v", "PX", "100"}), kOk);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  advance_ms(101);
  // Nobody touched the key: it expired in place, and EXEC still notices.
  EXPECT_EQ(try_exec(), kNilArray);
}

TEST_F(TransactionsTest, WatchInvalidatedByKeyExpiringAndBeingDeletedOnAccess) {
  EXPECT_EQ(run({"SET", "k", "v", "PX", "100"}), kOk);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  advance_ms(101);
  EXPECT_EQ(run({"GET", "k"}, 1), kNil);  // deletes the expired key
  EXPECT_EQ(try_exec(), kNilArray);
}

TEST_F(TransactionsTest, WatchHoldsWhileTtlNotReached) {
  EXPECT_EQ(run({"SET", "k", "v", "PX", "100"}), kOk);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  advance_ms(99);
  EXPECT_EQ(try_exec(), kExecuted);
}

TEST_F(TransactionsTest, WatchOfAlreadyExpiredKeyIgnoresThatExpiry) {
  // Redis flags a key that had already expired when it was WATCHed, and does not count its
  // expiry as a change (it was logically gone before WATCH).
  EXPECT_EQ(run({"SET", "k", "v", "PX", "100"}), kOk);
  advance_ms(200);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(try_exec(), kExecuted);

  EXPECT_EQ(run({"SET", "k", "v", "PX", "100"}), kOk);
  advance_ms(200);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"GET", "k"}, 1), kNil);
  EXPECT_EQ(try_exec(), kExecuted);

  // Creating it again is a change.
  EXPECT_EQ(run({"SET", "k", "v", "PX", "100"}), kOk);
  advance_ms(200);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"SET", "k", "new"}, 1), kOk);
  EXPECT_EQ(try_exec(), kNilArray);
}

TEST_F(TransactionsTest, WatchInvalidatedByFlushdb) {
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"FLUSHDB"}, 1), kOk);
  EXPECT_EQ(try_exec(), kNilArray);
}

TEST_F(TransactionsTest, WatchInvalidatedByFlushall) {
  EXPECT_EQ(run({"SELECT", "3"}), kOk);
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"FLUSHALL"}, 1), kOk);
  EXPECT_EQ(try_exec(), kNilArray);
}

TEST_F(TransactionsTest, FlushOfMissingWatchedKeyIsNoChange) {
  EXPECT_EQ(run({"SET", "other", "v"}), kOk);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"FLUSHDB"}, 1), kOk);
  EXPECT_EQ(try_exec(), kExecuted);
}

TEST_F(TransactionsTest, FlushdbOfAnotherDatabaseIsNoChange) {
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"SELECT", "1"}, 1), kOk);
  EXPECT_EQ(run({"SET", "k", "v"}, 1), kOk);
  EXPECT_EQ(run({"FLUSHDB"}, 1), kOk);
  EXPECT_EQ(try_exec(), kExecuted);
}

// SWAPDB and WATCH, as Redis's multi.tcl checks them: a live key appearing, going or replaced
// is a change; a stale (expired, not yet deleted) key replacing nothing or another stale key is
// not, and neither is its later expiry. Nothing here runs active expiry (the manual clock).
TEST_F(TransactionsTest, SwapdbTouchesWatchedKeysThatExistOnEitherSide) {
  EXPECT_EQ(run({"SET", "x", "30"}), kOk);
  EXPECT_EQ(run({"WATCH", "x"}), kOk);
  EXPECT_EQ(run({"SWAPDB", "0", "1"}, 1), kOk);
  EXPECT_EQ(try_exec(), kNilArray) << "x left db 0";
  EXPECT_EQ(run({"WATCH", "x"}), kOk);
  EXPECT_EQ(run({"SWAPDB", "0", "1"}, 1), kOk);
  EXPECT_EQ(try_exec(), kNilArray) << "x came back to db 0";
}

TEST_F(TransactionsTest, SwapdbDoesNotTouchStaleKeys) {
  // A stale key replaced with no key.
  EXPECT_EQ(run({"SELECT", "1"}), kOk);
  EXPECT_EQ(run({"SET", "x", "foo", "PX", "1"}), kOk);
  advance_ms(2);
  EXPECT_EQ(run({"WATCH", "x"}), kOk);
  EXPECT_EQ(run({"SWAPDB", "0", "1"}, 1), kOk);
  EXPECT_EQ(try_exec(), kExecuted);
  // No key replaced with a stale key (the stale x is now in db 0), which later expires.
  EXPECT_EQ(run({"SELECT", "1"}), kOk);
  EXPECT_EQ(run({"WATCH", "x"}), kOk);
  EXPECT_EQ(run({"SWAPDB", "0", "1"}, 1), kOk);
  EXPECT_EQ(run({"GET", "x"}, 2), kNil) << "another client in db 0 sees nothing";
  EXPECT_EQ(try_exec(), kExecuted);
  // A stale key replaced with another stale key.
  EXPECT_EQ(run({"FLUSHALL"}), kOk);
  EXPECT_EQ(run({"SET", "x", "foo", "PX", "1"}), kOk);
  EXPECT_EQ(run({"SELECT", "0"}, 1), kOk);
  EXPECT_EQ(run({"SET", "x", "bar", "PX", "1"}, 1), kOk);
  advance_ms(2);
  EXPECT_EQ(run({"WATCH", "x"}), kOk);
  EXPECT_EQ(run({"SWAPDB", "0", "1"}, 1), kOk);
  EXPECT_EQ(try_exec(), kExecuted);
  // A stale key brought in, then a live key in its place: a change.
  EXPECT_EQ(run({"FLUSHALL"}), kOk);
  EXPECT_EQ(run({"SELECT", "0"}, 1), kOk);
  EXPECT_EQ(run({"SET", "x", "foo", "PX", "1"}, 1), kOk);
  advance_ms(2);
  EXPECT_EQ(run({"WATCH", "x"}), kOk);
  EXPECT_EQ(run({"SWAPDB", "0", "1"}, 1), kOk);
  EXPECT_EQ(run({"SELECT", "1"}, 2), kOk);  // where client 0 watches
  EXPECT_EQ(run({"SET", "x", "live"}, 2), kOk);
  EXPECT_EQ(try_exec(), kNilArray);
}

TEST_F(TransactionsTest, WatchNotInvalidatedByOtherKeys) {
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"SET", "other", "v"}, 1), kOk);
  EXPECT_EQ(run({"DEL", "other"}, 1), integer(1));
  EXPECT_EQ(run({"SET", "k2", "v"}, 1), kOk);
  EXPECT_EQ(try_exec(), kExecuted);
}

TEST_F(TransactionsTest, WatchIsPerDatabase) {
  EXPECT_EQ(run({"WATCH", "k"}), kOk);  // in db 0
  EXPECT_EQ(run({"SELECT", "1"}, 1), kOk);
  EXPECT_EQ(run({"SET", "k", "v"}, 1), kOk);
  EXPECT_EQ(try_exec(), kExecuted);
  // A key watched in db 1 stays watched after the watcher selects another database.
  EXPECT_EQ(run({"SELECT", "1"}), kOk);
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"SELECT", "0"}), kOk);
  EXPECT_EQ(run({"SET", "k", "again"}, 1), kOk);
  EXPECT_EQ(try_exec(), kNilArray);
}

TEST_F(TransactionsTest, WatchSeveralKeys) {
  EXPECT_EQ(run({"WATCH", "a", "b", "c", "b"}), kOk);
  EXPECT_EQ(client(0).session->watched.size(), 3u) << "a key is watched once";
  EXPECT_EQ(run({"SET", "c", "v"}, 1), kOk);
  EXPECT_EQ(try_exec(), kNilArray);
  // Several WATCH commands accumulate.
  EXPECT_EQ(run({"WATCH", "a"}), kOk);
  EXPECT_EQ(run({"WATCH", "b"}), kOk);
  EXPECT_EQ(run({"SET", "a", "v"}, 1), kOk);
  EXPECT_EQ(try_exec(), kNilArray);
}

TEST_F(TransactionsTest, WatchByTwoClients) {
  EXPECT_EQ(run({"WATCH", "k"}, 0), kOk);
  EXPECT_EQ(run({"WATCH", "k"}, 1), kOk);
  EXPECT_EQ(run({"MULTI"}, 0), kOk);
  EXPECT_EQ(run({"SET", "k", "zero"}, 0), kQueued);
  EXPECT_EQ(run({"MULTI"}, 1), kOk);
  EXPECT_EQ(run({"SET", "k", "one"}, 1), kQueued);
  // The first EXEC wins and its write dooms the other transaction.
  EXPECT_EQ(run({"EXEC"}, 0), array({kOk}));
  EXPECT_EQ(run({"EXEC"}, 1), kNilArray);
  EXPECT_EQ(run({"GET", "k"}), bulk("zero"));
}

TEST_F(TransactionsTest, WatchErrors) {
  EXPECT_EQ(run({"WATCH"}), err("ERR wrong number of arguments for 'watch' command"));
  EXPECT_EQ(run({"MULTI"}), kOk);
  // Refused by WATCH itself: the transaction goes on.
  EXPECT_EQ(run({"WATCH", "k"}), err("ERR WATCH inside MULTI is not allowed"));
  EXPECT_EQ(run({"SET", "k", "v"}), kQueued);
  EXPECT_EQ(run({"EXEC"}), array({kOk}));
  EXPECT_TRUE(client(0).session->watched.empty());
}

TEST_F(TransactionsTest, WatchWhenAlreadyDirtyStaysDirty) {
  EXPECT_EQ(run({"WATCH", "a"}), kOk);
  EXPECT_EQ(run({"SET", "a", "v"}, 1), kOk);
  EXPECT_EQ(run({"WATCH", "b"}), kOk);
  EXPECT_EQ(try_exec(), kNilArray);
}

TEST_F(TransactionsTest, Unwatch) {
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"UNWATCH"}), kOk);
  EXPECT_EQ(run({"SET", "k", "v"}, 1), kOk);
  EXPECT_EQ(try_exec(), kExecuted);
  // UNWATCH also forgets that a watched key was already touched.
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"SET", "k", "v2"}, 1), kOk);
  EXPECT_EQ(run({"UNWATCH"}), kOk);
  EXPECT_EQ(try_exec(), kExecuted);
  EXPECT_EQ(run({"UNWATCH"}), kOk) << "with nothing watched";
  EXPECT_EQ(run({"UNWATCH", "k"}), err("ERR wrong number of arguments for 'unwatch' command"));
}

TEST_F(TransactionsTest, UnwatchInsideMultiIsQueued) {
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"UNWATCH"}), kQueued);
  EXPECT_EQ(run({"SET", "k", "v"}, 1), kOk);
  // The WATCH is checked before the queue runs, so the queued UNWATCH is too late.
  EXPECT_EQ(run({"EXEC"}), kNilArray);
}

TEST_F(TransactionsTest, DiscardForgetsWatchedKeys) {
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"DISCARD"}), kOk);
  EXPECT_EQ(run({"SET", "k", "v"}, 1), kOk);
  EXPECT_EQ(try_exec(), kExecuted);
}

TEST_F(TransactionsTest, ExecAbortForgetsWatchedKeys) {
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"NOSUCH"}), err("ERR unknown command 'NOSUCH', with args beginning with: "));
  EXPECT_EQ(run({"EXEC"}), err("EXECABORT Transaction discarded because of previous errors."));
  EXPECT_EQ(run({"SET", "k", "v"}, 1), kOk);
  EXPECT_EQ(try_exec(), kExecuted);
}

TEST_F(TransactionsTest, QueueingErrorOutranksTouchedWatch) {
  EXPECT_EQ(run({"WATCH", "k"}), kOk);
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"GET"}), err("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(run({"SET", "k", "v"}, 1), kOk);
  EXPECT_EQ(run({"EXEC"}), err("EXECABORT Transaction discarded because of previous errors."));
}

TEST_F(TransactionsTest, ClosingAWatchingClientUnregistersIt) {
  EXPECT_EQ(run({"WATCH", "k"}, 1), kOk);
  engine_->close_session(client(1).session);
  client(1).attach(engine_->open_session(Frontend::kResp, &client(1)));
  // A write after the watcher left must not reach the freed session.
  EXPECT_EQ(run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(try_exec(1), kExecuted);
}

}  // namespace
}  // namespace basalt::testing
