"""Every message the plugin shows a user, in one place.

Each constant is a ``str.format`` template; tests import the constant and match the formatted
text exactly. A message says what happened, where (in the user's own names), and the fix.
The install check's messages are in ``pytest_asyncio_ng_guard``, which imports nothing from
this package: it runs when the package's files may be another distribution's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

# --- misspelt names and values --------------------------------------------------------------

#: Appended, after a space, to a message about a value close to a valid one.
DID_YOU_MEAN: Final = "Did you mean {suggestion!r}?"
#: Appended, after a space, to a message about a keyword close to an accepted one.
DID_YOU_MEAN_KEYWORD: Final = "Did you mean {suggestion}= instead of {name}=?"
#: Appended, after a space, for each of several misspelt values close to a valid one.
DID_YOU_MEAN_INSTEAD: Final = "Did you mean {suggestion!r} instead of {name!r}?"


def close_match(value: object, choices: Iterable[str]) -> str | None:
    """The one of *choices* (lowercase names) that a misspelt *value* is closest to, if any
    is close enough."""
    if not isinstance(value, str):
        return None
    import difflib  # only on the way to an error

    matches = difflib.get_close_matches(value.lower(), list(choices), n=1)
    return matches[0] if matches else None


def suggesting(message: str, value: object, choices: Iterable[str]) -> str:
    """*message*, with DID_YOU_MEAN added when *value* is close to one of *choices*."""
    suggestion = close_match(value, choices)
    if suggestion is None:
        return message
    return f"{message} {DID_YOU_MEAN.format(suggestion=suggestion)}"


# --- configuration -------------------------------------------------------------------------

INVALID_OPTION: Final = (
    "pytest-asyncio-ng: {key} = {value!r} (from {origin}) is not valid; use one of: {choices}."
)
UNKNOWN_CHECKS: Final = (
    "pytest-asyncio-ng: no check is called {names} (in asyncio_checks, from {origin}); the "
    "checks are: {choices}."
)
ORIGIN_CLI: Final = "the command line option {flag}"
ORIGIN_OVERRIDE: Final = "the command line option -o {key}=..."
ORIGIN_INI: Final = "the configuration file {path}"
LEGACY_MODE_DEPRECATED: Final = (
    "asyncio_mode = legacy (from {origin}) is deprecated. It still works as it did: tests run "
    "only if marked @pytest.mark.asyncio, and every async fixture runs, also those declared "
    "with @pytest.fixture. Write asyncio_mode = auto to run every async test and fixture; or "
    "asyncio_mode = strict, and declare async fixtures with @pytest_asyncio.fixture."
)
# The report header's line is in _settings (HEADER), which every run loads: showing it loads
# nothing more.

# --- the asyncio marker --------------------------------------------------------------------

MARK_POSITIONAL: Final = (
    "{nodeid}: @pytest.mark.asyncio got positional arguments {args}; it accepts only the "
    "keywords loop_scope=<scope>, loop_factories=[<name>, ...], timeout=<seconds> and "
    "checks=<names>."
)
MARK_UNKNOWN_KEYWORDS: Final = (
    "{nodeid}: @pytest.mark.asyncio got unknown keyword arguments {names}; it accepts only "
    "loop_scope=<scope>, loop_factories=[<name>, ...], timeout=<seconds> and checks=<names>."
)
MARK_BAD_SCOPE: Final = (
    "{nodeid}: @pytest.mark.asyncio({keyword}={value!r}) is not a loop scope; use one of: "
    "{choices}."
)
MARK_SCOPE_AND_LOOP_SCOPE: Final = (
    "{nodeid}: @pytest.mark.asyncio got both scope= and loop_scope=; keep only "
    "loop_scope={value!r}."
)
MARK_SCOPE_DEPRECATED: Final = (
    "{nodeid}: @pytest.mark.asyncio(scope={value!r}) is deprecated; write "
    "@pytest.mark.asyncio(loop_scope={value!r}) instead."
)
MARK_BAD_FACTORIES: Final = (
    "{nodeid}: @pytest.mark.asyncio(loop_factories={value!r}) must be a non-empty list of "
    "factory names, e.g. loop_factories=['default']."
)
MARK_FACTORIES_WITHOUT_HOOK: Final = (
    "{nodeid}: @pytest.mark.asyncio(loop_factories={names!r}) needs a "
    "pytest_asyncio_loop_factories hook to name the factories, and none is implemented; "
    "define it in a conftest.py."
)
UNKNOWN_LOOP_FACTORY: Final = (
    "loop factory {name!r} is not returned by pytest_asyncio_loop_factories for {nodeid}; "
    "available: {available}."
)
UNMARKED_ASYNC_TEST: Final = (
    "{nodeid} is an async test without @pytest.mark.asyncio, and in {mode} mode only marked "
    "tests run. Mark it @pytest.mark.asyncio (or mark its class, or its module with "
    "pytestmark = pytest.mark.asyncio), or set asyncio_mode = auto to run every async test."
)
UNITTEST_ASYNC_METHOD: Final = (
    "{nodeid} is an async test method of a unittest.TestCase, which calls it without ever "
    "awaiting it, so it would pass without running. Derive the class from "
    "unittest.IsolatedAsyncioTestCase, which awaits async test methods."
)
SYNC_TEST_MARKED: Final = (
    "{nodeid} is marked with @pytest.mark.asyncio but is not an async function, so the mark "
    "does nothing. Remove the mark; if it comes from a pytestmark on the module or class, "
    "check that pytestmark."
)
TEST_RETURNED_VALUE: Final = (
    "{nodeid} returned {value} instead of None, and pytest ignores what a test returns. To "
    "check the value, write assert instead of return."
)
ASYNC_GENERATOR_TEST: Final = (
    "{nodeid} is an async generator function and cannot run as a test: tests must not "
    "yield. Make it a plain 'async def' function."
)

# --- fixtures ------------------------------------------------------------------------------

FIXTURE_BAD_LOOP_SCOPE: Final = (
    "pytest_asyncio.fixture(loop_scope={value!r}) on {name!r}: not a loop scope; use one of: "
    "{choices}."
)
FIXTURE_LOOP_NARROWER_THAN_CACHE: Final = (
    "async fixture {name!r} is cached with scope {scope!r} but runs on a {loop_scope!r} loop, "
    "which closes before its value expires. Give it loop_scope={scope!r} (or wider), or "
    "narrow its scope to {loop_scope!r}."
)
FIXTURE_DID_NOT_YIELD: Final = "async fixture {name!r} did not yield a value."
FIXTURE_YIELDED_TWICE: Final = (
    "async fixture {name!r} yielded more than once; an async generator fixture yields exactly "
    "once: setup before the yield, teardown after it."
)
STRICT_UNMARKED_ASYNC_FIXTURE: Final = (
    "{nodeid} requests the async fixture {name!r}, which is declared with @pytest.fixture and "
    "is not run in strict mode. Declare it with @pytest_asyncio.fixture, or set "
    "asyncio_mode = auto."
)
EVENT_LOOP_FIXTURE_OVERRIDDEN: Final = (
    "The event_loop fixture is overridden in {location}; the async tests and fixtures that "
    "request it, or that set no loop scope, still run on its loop, but overriding it is "
    "deprecated. To run them on one {scope}-scoped loop without it, write "
    '@pytest.mark.asyncio(loop_scope="{scope}") on the tests (or set '
    "asyncio_default_test_loop_scope = {scope}) and "
    '@pytest_asyncio.fixture(loop_scope="{scope}") on the async fixtures (or set '
    "asyncio_default_fixture_loop_scope = {scope}), use asyncio.get_running_loop() where "
    "they take event_loop, then delete the fixture. For a custom loop, implement the "
    "pytest_asyncio_loop_factories hook."
)
EVENT_LOOP_FIXTURE_UNUSED: Final = (
    "The event_loop fixture overridden in {location} was not used: no test or fixture "
    "requests it, and the loop scopes this suite sets (loop_scope=, "
    "asyncio_default_test_loop_scope, asyncio_default_fixture_loop_scope) decide where its "
    "async tests run. Delete the fixture."
)
EVENT_LOOP_FIXTURE_REQUESTED: Final = (
    "The event_loop fixture is deprecated ({nodeid} requests it). In async code, use "
    "asyncio.get_running_loop(); in sync code, asyncio.run() or a loop of your own."
)
POLICY_FIXTURE_OVERRIDDEN: Final = (
    "The event_loop_policy fixture is overridden in {location}; overriding it is deprecated. "
    "Implement the pytest_asyncio_loop_factories hook in a conftest.py instead."
)

# --- "attached to a different loop" -------------------------------------------------------

DIFFERENT_LOOP_HEADER: Final = (
    "An asyncio object made on one event loop was used on another. The async fixtures of this "
    "test and the loops they run on:"
)
DIFFERENT_LOOP_FIXTURE: Final = "  fixture {name!r}: the {loop_scope}-scoped loop"
DIFFERENT_LOOP_TEST: Final = "  the test itself: the {loop_scope}-scoped loop"
DIFFERENT_LOOP_FIX: Final = (
    "To run them on one loop, give them the same loop scope: loop_scope={scope!r} on "
    "@pytest.mark.asyncio and on @pytest_asyncio.fixture, or set "
    "asyncio_default_test_loop_scope = {scope} and asyncio_default_fixture_loop_scope = {scope}."
)

DIFFERENT_LOOP_TASK: Final = (
    "The task in the error is this test's task, which runs the test on its {loop_scope}-scoped "
    "loop; what it awaited was made on another loop."
)

# --- a wider loop left idle while a test runs (the session-server trap) --------------------

IDLE_LOOP_HEADER: Final = (
    "This test ran on its own {loop_scope}-scoped loop while another loop held open sockets. "
    "That loop is idle during the test: nothing on it runs, so a server there accepts no "
    "connection and sends no answer, and the test waits for it, often until a timeout."
)
IDLE_LOOP_FIXTURE: Final = "  fixture {name!r}: the {loop_scope}-scoped loop, which holds {sockets}"
IDLE_LOOP_UNNAMED: Final = (
    "  the {loop_scope}-scoped loop (no async fixture of this test), which holds {sockets}"
)
IDLE_LOOP_FIX: Final = (
    "Run the test on that loop: give it the same loop scope with "
    "@pytest.mark.asyncio(loop_scope={scope!r}), or set "
    "asyncio_default_test_loop_scope = {scope} for every test."
)
SOCKET_LISTENING: Final = "a server listening on {address}"
SOCKET_CONNECTED: Final = "a connection from {address} to {peer}"
SOCKET_OTHER: Final = "file descriptor {fd}"

# --- loops ---------------------------------------------------------------------------------

HOOK_BAD_RESULT: Final = (
    "pytest_asyncio_loop_factories in {where} returned {value!r} for {nodeid}: {problem}. It "
    "must return a non-empty mapping of names to zero-argument callables that create event "
    "loops, e.g. {{'default': asyncio.new_event_loop}}."
)
HOOK_RESULT_NOT_A_MAPPING: Final = "a {type} is not a mapping"
HOOK_RESULT_EMPTY: Final = "the mapping is empty"
HOOK_RESULT_BAD_NAME: Final = "the name {name!r} is not a non-empty string"
HOOK_RESULT_NOT_CALLABLE: Final = "the factory named {name!r} is not callable"
HOOK_ALL_NONE: Final = (
    "every pytest_asyncio_loop_factories implementation returned None for {nodeid} ({where}), "
    "so no loop factory is named for it. Return the factories for it, e.g. "
    "{{'default': asyncio.new_event_loop}} for the default loop."
)
LOOP_ALREADY_RUNNING: Final = (
    "{what} needs the {loop}, but an event loop is already running in this thread, and async "
    "code cannot be run synchronously from inside a running loop."
)
FIXTURE_FROM_RUNNING_LOOP: Final = (
    "async fixture {name!r} was requested with the sync request.getfixturevalue() from code "
    "running in an event loop, where it cannot run. From async code, write: "
    "value = await pytest_asyncio.getfixturevalue(request, {name!r})"
)
GETFIXTUREVALUE_FOREIGN_LOOP: Final = (
    "pytest_asyncio.getfixturevalue(request, {name!r}) was awaited on an event loop that "
    "pytest-asyncio-ng does not run; await it from an async test or async fixture."
)
LOOP_CLOSED_EARLY: Final = (
    "The {loop} was closed before its scope ended; pytest-asyncio-ng closes it when the scope "
    "ends, do not close it yourself."
)
LOOP_CLOSED_BEFORE_USE: Final = (
    "{what} cannot run: the {loop} was closed before its scope ended; do not close loops "
    "that pytest-asyncio-ng owns."
)
LOOP_STOPPED: Final = (
    "{what} failed: the {loop} was stopped with loop.stop() while it ran on that loop. "
    "pytest-asyncio-ng runs the loop, and tests and fixtures must not stop it. To end a test "
    "early, return or raise; to end a task, cancel it; to run a loop that you stop yourself, "
    "create it with asyncio.new_event_loop() in a sync test or fixture."
)
CANCELLED_ON_RETURN: Final = (
    "{what} returned or yielded while a cancel() of its own task was still pending, so it "
    "fails as cancelled, as it would under asyncio.run(). Await something after cancel() to "
    "receive the CancelledError there, or do not cancel the task that runs tests and fixtures."
)

# --- timeouts ------------------------------------------------------------------------------

MARK_BAD_TIMEOUT: Final = (
    "{nodeid}: @pytest.mark.asyncio(timeout={value!r}) is not a limit; use a number of "
    "seconds, or timeout=None for no limit."
)
VIRTUAL_CLOCK_NOT_ASYNC: Final = (
    "{nodeid}: the virtual_clock fixture is for async tests (it runs the test's event loop "
    "on virtual time); this test is not one that pytest-asyncio-ng runs."
)
VIRTUAL_CLOCK_ON_REAL: Final = (
    "{nodeid}: requests the virtual_clock fixture but is marked "
    "@pytest.mark.asyncio(clock='real'); remove one of the two."
)
CLOCK_NOT_VIRTUALISABLE: Final = (
    "{what} runs on virtual time, but its {loop} ({kind}, made by {factory}) keeps time or "
    "waits in a way of its own: virtual time drives asyncio's own loops only (those that keep "
    "asyncio.BaseEventLoop's time(), _run_once() and selector), so the test is not run rather "
    "than run on real time. Run it with @pytest.mark.asyncio(clock='real'), or make its loop "
    "with asyncio's own loops (e.g. asyncio.new_event_loop)."
)
CLOCK_FACTORY_HOOK: Final = (
    "the loop factory {name!r} ({create}) that the pytest_asyncio_loop_factories hook returns"
)
CLOCK_FACTORY_POLICY: Final = (
    "the new_event_loop() of the {policy} that the overridden event_loop_policy fixture returns"
)
CLOCK_FACTORY_DEFAULT: Final = "the new_event_loop() of the current event loop policy, a {policy}"
#: The ValueError (or TypeError, for what is not a number) of the virtual_clock's knobs.
CLOCK_BAD_JUMP: Final = (
    "virtual_clock.jump({value!r}): jump() takes a finite number of seconds >= 0 (an int or a "
    "float); virtual time never goes backwards."
)
CLOCK_BAD_RATE: Final = (
    "virtual_clock.rate = {value!r}: the rate is a finite number >= 0 (an int or a float) of "
    "virtual seconds that pass per real second; 0 (the default) moves time by jumps only."
)
CLOCK_BAD_AUTOJUMP_THRESHOLD: Final = (
    "virtual_clock.autojump_threshold = {value!r}: the threshold is a finite number >= 0 (an "
    "int or a float) of real seconds to wait for I/O before a jump; 0 (the default) jumps at "
    "once."
)
LOOPTIME_NOT_PATCHABLE: Final = (
    "{nodeid} asks for looptime's fake loop time ({source}), but its {loop} is a {kind}, "
    "which looptime cannot patch (it patches asyncio's BaseEventLoop subclasses only): the "
    "test would run on real time. Run it with @pytest.mark.looptime(False), or on a loop "
    "factory that makes asyncio's own loops."
)
LOOPTIME_ON_VIRTUAL_CLOCK: Final = (
    "{nodeid} asks for looptime's fake loop time ({source}), but its {loop} already runs on "
    "pytest-asyncio-ng's virtual clock (an earlier test on it used clock='virtual' or the "
    "virtual_clock fixture): both cannot drive one loop. Give this test clock='virtual' "
    "instead of looptime, or run the tests that use looptime on a loop of their own "
    "(e.g. loop_scope='function')."
)
LOOPTIME_SOURCE_MARK: Final = "@pytest.mark.looptime"
LOOPTIME_SOURCE_FLAG: Final = "--looptime"
MARK_BAD_CLOCK: Final = (
    "{nodeid}: @pytest.mark.asyncio(clock={value!r}) names no clock; use one of: {choices}."
)
MARK_BAD_CHECKS: Final = (
    "{nodeid}: @pytest.mark.asyncio(checks={value!r}) is not a list of checks; write their "
    "names in a string, comma- or space-separated, or in a list, from: {choices}."
)
MARK_UNKNOWN_CHECKS: Final = (
    "{nodeid}: @pytest.mark.asyncio(checks={value!r}) names no check called {names}; the "
    "checks are: {choices}."
)
# --- checks --------------------------------------------------------------------------------

CHECKS_FAILED: Final = (
    "asyncio checks found {count} {problems} during the {phase} of test {nodeid}."
)
#: One finding, under CHECKS_FAILED.
CHECK_FINDING: Final = "[{check}] {text}"
#: How a finding names a wider-scoped fixture that caused it.
CHECK_WIDE_FIXTURE: Final = "{scope}-scoped fixture {name!r}"
# task-exceptions: what failed (first line), where it was created, its traceback, the fix.
CHECK_EXCEPTIONS_TASK: Final = (
    "task {name!r}{coroutine}{owner} raised {error}, and nothing awaited it or retrieved its "
    "exception."
)
CHECK_EXCEPTIONS_FUTURE: Final = (
    "a future was given the exception {error}{owner}, and nothing awaited it or retrieved it."
)
CHECK_EXCEPTIONS_CALLBACK: Final = "callback {callback}{owner} raised {error}."
CHECK_EXCEPTIONS_AT_CLOSE: Final = (
    "task {name!r}{coroutine}{owner} was still running when its event loop closed, and raised "
    "{error} when it was cancelled."
)
CHECK_EXCEPTIONS_OTHER: Final = (
    "the event loop's exception handler was given {error}{owner}: {message}"
)
#: After a task's name: the function of its coroutine, when known.
CHECK_EXCEPTIONS_COROUTINE: Final = " ({function})"
#: After the object that failed: who it belongs to, when not the test.
CHECK_EXCEPTIONS_OF: Final = " of {owner}"
#: After the object that failed, when it belongs to no one: the job running then.
CHECK_EXCEPTIONS_DURING: Final = " during the {phase} of {owner}"
CHECK_EXCEPTIONS_CREATED: Final = "  created at {location}"
#: Where a callback that raised was scheduled (asyncio debug mode only).
CHECK_EXCEPTIONS_SCHEDULED: Final = "  scheduled at {location}"
CHECK_EXCEPTIONS_CREATED_BY: Final = "  created by test {nodeid} at {location}"
CHECK_EXCEPTIONS_CREATED_UNKNOWN: Final = (
    "  created at a place not known: run with --asyncio-debug to record it"
)
CHECK_EXCEPTIONS_TRACEBACK: Final = "  traceback, most recent call last:"
CHECK_EXCEPTIONS_NO_FRAMES: Final = "    (no frame of your code)"
CHECK_EXCEPTIONS_CAUSE: Final = "  which was the direct cause of:"
CHECK_EXCEPTIONS_CONTEXT: Final = "  during whose handling this was raised:"
CHECK_EXCEPTIONS_TASK_FIX: Final = (
    "Await the task (or gather it, or start it in a TaskGroup) so that its failure reaches "
    "your code; if the failure is expected, retrieve it with task.exception()."
)
CHECK_EXCEPTIONS_FUTURE_FIX: Final = (
    "Await the future, or retrieve its exception with future.exception()."
)
CHECK_EXCEPTIONS_CALLBACK_FIX: Final = (
    "Catch the exception in the callback: asyncio only logs what a callback raises, and your "
    "code never sees it."
)
CHECK_EXCEPTIONS_AT_CLOSE_FIX: Final = (
    "Cancel and await the task before the test or fixture that started it ends, and make "
    "the code that runs on its cancellation not raise."
)
CHECK_EXCEPTIONS_OTHER_FIX: Final = (
    "Handle the exception where it is raised: asyncio only logs it, and your code never sees it."
)
#: A task the test started and left pending (task-leaks); {outcome} is one of the three below.
CHECK_TASK_LEAKS: Final = (
    "task {name!r}{created} was still pending when the test and its function-scoped fixtures "
    "were done. It was waiting here, outermost call first:\n{chain}\n{outcome}"
)
CHECK_TASK_LEAKS_CREATED: Final = " (created at {location})"
_AWAIT_TASKS: Final = (
    "Await every task the test starts before it ends (asyncio.TaskGroup does), or cancel and "
    "await it in the teardown of the fixture that starts it; a task that must outlive the "
    "test belongs to a fixture of wider scope."
)
CHECK_TASK_LEAKS_CANCELLED: Final = (
    "It was cancelled, so that it cannot run into the tests after this one. " + _AWAIT_TASKS
)
CHECK_TASK_LEAKS_REFUSED: Final = (
    "It was cancelled, and refused to end: {grace:g} s later it was still running, having "
    "caught the CancelledError, so it was closed by force. " + _AWAIT_TASKS + " Let "
    "CancelledError propagate: re-raise it after your cleanup instead of catching it and "
    "going on."
)
CHECK_TASK_LEAKS_KEPT: Final = (
    "It was cancelled, and refused to end: {grace:g} s later it was still running, having "
    "caught the CancelledError. Closing it did not end it either (it caught GeneratorExit "
    "too), so its {loop} was abandoned: nothing more runs on that loop, and the fixture "
    "teardowns and later tests that need it fail. " + _AWAIT_TASKS + " Let CancelledError "
    "and GeneratorExit propagate: re-raise them after your cleanup instead of catching them "
    "and going on."
)
#: How LOOP_BROKEN names a leaked task that would not end.
CHECK_TASK_LEAKS_CULPRIT: Final = "task {name!r}, left pending by test {nodeid}, would not stop"
CHECK_UNAWAITED: Final = (
    "coroutine {name!r} was created and never awaited{owner}{times}; it was created here:\n"
    "{site}\n"
    "Await it, or wrap it in asyncio.create_task(...) to run it in the background."
)
CHECK_UNAWAITED_DROPPED: Final = (
    "coroutine {name!r} was created and never awaited{owner}{times}; it was made inside a "
    "library called from your code, and dropped here:\n"
    "{site}\n"
    "Await it, or wrap it in asyncio.create_task(...) to run it in the background."
)
CHECK_UNAWAITED_BY_ASYNCIO: Final = (
    "coroutine {name!r} was created and never awaited{owner}{times}: asyncio called the async "
    "function {name} (defined at {defined}) as a plain callback (loop.call_soon, call_later, "
    "add_done_callback, add_signal_handler, ...) and dropped the coroutine it returned.\n"
    "Give asyncio a plain function that wraps it in asyncio.create_task(...), e.g. "
    "lambda: asyncio.create_task({name}(...))."
)
#: How CHECK_UNAWAITED names a wider-scoped fixture in whose job the coroutine was dropped.
CHECK_UNAWAITED_OWNER: Final = " in {owner}"
#: How CHECK_UNAWAITED counts the same coroutine dropped again from the same line.
CHECK_UNAWAITED_TIMES: Final = " ({count} times)"
# blocking: who held the loop and how long, where it was meanwhile, the fix.
CHECK_BLOCKING_HELD: Final = (
    "{what} held the event loop for {seconds:.2f} s in one step, longer than the threshold "
    "of {threshold:g} s (asyncio_blocking_threshold): nothing else on the loop could run "
    "meanwhile. {where}\n{fix}"
)
CHECK_BLOCKING_STACK: Final = (
    "{after:.2f} s into the step it was running here, outermost call first:\n{stack}"
)
CHECK_BLOCKING_NO_STACK: Final = (
    "No sample of its stack could be taken while it ran (it held the interpreter's lock, or "
    "ran no code of yours)."
)
#: After CHECK_BLOCKING_NO_STACK, for a task that was still pending after the step.
CHECK_BLOCKING_THEN: Final = " After the step it waited here, outermost call first:\n{chain}"
CHECK_BLOCKING_FIX: Final = (
    "Run blocking code in a thread, with await asyncio.to_thread(func, *args) or await "
    "loop.run_in_executor(None, func, *args), or use an async API in its place (await "
    "asyncio.sleep() instead of time.sleep()). A step that is slow and fine (a first import) "
    "needs a higher asyncio_blocking_threshold, or the test a checks= list without blocking."
)
CHECK_BLOCKING_TEST: Final = "test {nodeid}"
CHECK_BLOCKING_FIXTURE: Final = "the {phase} of async fixture {name!r}"
#: {owner} is CHECK_WIDE_FIXTURE.
CHECK_BLOCKING_WIDE: Final = "the {phase} of {owner}"
CHECK_BLOCKING_TASK: Final = "task {name!r}{created}{of}"
CHECK_BLOCKING_CALLBACK: Final = "callback {callback}{of}"
CHECK_BLOCKING_CREATED: Final = " (created at {location})"
#: After a task or callback of a wider-scoped fixture; {owner} is CHECK_WIDE_FIXTURE.
CHECK_BLOCKING_OF: Final = " of {owner}"
CHECK_BLOCKING_MORE: Final = (
    "{count} more {steps} held the event loop longer than {threshold:g} s; a test reports "
    "the first {shown} in full."
)
TIMED_OUT: Final = (
    "{what} ran longer than {seconds:g} s (the limit set by {source}) and was cancelled. It "
    "was waiting here, outermost call first:\n{chain}\nIf it needs more time, raise the "
    "limit; else the innermost await above is the one that never completed."
)
TIMED_OUT_REFUSED: Final = (
    "{what} ran longer than {seconds:g} s (the limit set by {source}), was cancelled, and "
    "refused to stop: {grace:g} s later it was still running, having caught the "
    "CancelledError. It was ended by force while waiting here, outermost call first:\n"
    "{chain}\nLet CancelledError propagate: re-raise it after your cleanup instead of "
    "catching it and going on."
)
TIMED_OUT_NO_FRAMES: Final = "  (no frame of your code: it was waiting inside asyncio)"
TIMED_OUT_TEST: Final = "test {nodeid}"
TIMED_OUT_FIXTURE: Final = "the {phase} of async fixture {name!r}"
TIMEOUT_TASKS_SECTION: Final = "other asyncio tasks pending at the timeout"
TIMEOUT_TASK: Final = "task {name!r}{created}, waiting here:"
TIMEOUT_TASK_CREATED: Final = " (created at {location})"
TIMED_OUT_ABANDONED: Final = (
    "{what} ran longer than {seconds:g} s (the limit set by {source}), was cancelled, and "
    "refused to stop: {grace:g} s later it was still running, having caught the "
    "CancelledError. Closing it did not end it either (it caught GeneratorExit too), so "
    "{grace:g} s later its {loop} was abandoned: nothing more runs on that loop, and the "
    "fixture teardowns and later tests that need it fail. It was waiting here, outermost call "
    "first:\n{chain}\nLet CancelledError and GeneratorExit propagate: re-raise them after "
    "your cleanup instead of catching them and going on."
)
LOOP_BROKEN: Final = (
    "{what} cannot run: its {loop} was abandoned earlier, when {culprit}. Fix that one first "
    "(see its failure); this then runs again."
)
#: How LOOP_BROKEN names a job that ran past its limit and refused to end.
TIMEOUT_CULPRIT: Final = "{what} ran past its limit and would not stop"
#: How LOOP_BROKEN names a job that deadlocked and refused to end.
DEADLOCK_CULPRIT: Final = "{what} deadlocked and would not stop"
_UNBLOCK: Final = (
    "Sync code in async code holds up every task on the loop: use await asyncio.sleep() "
    "instead of time.sleep(), and run a blocking call in a thread with "
    "await asyncio.to_thread(func, *args) or await loop.run_in_executor(None, func, *args)."
)
LOOP_BLOCKED: Final = (
    "{what} ran longer than {seconds:g} s (the limit set by {source}) while sync code blocked "
    "its event loop: {blocked:.2f} s after the limit the loop had still not run, so that code "
    "was interrupted. It was running here, outermost call first:\n{stack}\n" + _UNBLOCK
)
LOOP_BLOCKED_NOT_INTERRUPTED: Final = (
    "{what} ran longer than {seconds:g} s (the limit set by {source}) while sync code blocked "
    "its event loop. That code could not be interrupted ({reason}), and held the loop until "
    "{blocked:.2f} s after the limit. At the limit it was running here, outermost call "
    "first:\n{stack}\n" + _UNBLOCK
)
BLOCKED_NOT_MAIN_THREAD: Final = (
    "its loop runs in a thread other than the main thread, and only the main thread can be "
    "interrupted by a signal"
)
BLOCKED_NO_SIGNALS: Final = "this platform cannot send a signal to a thread"
BLOCKED_SIGNAL_TAKEN: Final = "{signal} has a handler set outside Python, which is left alone"
BLOCKED_RETURNED: Final = "it returned just as the interruption was sent"
BLOCKED_INTERRUPTION: Final = (
    "{what} blocked its event loop past its limit of {seconds:g} s: interrupted by "
    "pytest-asyncio-ng, which fails it with the stack of this code"
)
# Where pytest-timeout's limit of an async test was set, as the timeout report names it.
FOREIGN_TIMEOUT_MARK: Final = "@pytest.mark.timeout({seconds:g})"
FOREIGN_TIMEOUT_CLI: Final = "--timeout={seconds:g}"
FOREIGN_TIMEOUT_ENV: Final = "PYTEST_TIMEOUT={seconds:g}"
FOREIGN_TIMEOUT_INI: Final = "pytest-timeout's timeout = {seconds:g} in {origin}"

# --- Ctrl-C --------------------------------------------------------------------------------

INTERRUPTED_TITLE: Final = "interrupted (Ctrl-C)"
INTERRUPTED: Final = (
    "Ctrl-C cancelled {what}, which was waiting here, outermost call first:\n{chain}\n"
    "Its cleanup code and the fixture teardowns ran before the run ended. If it hung, "
    "the innermost await above is the one that never completed; with a limit "
    "(--asyncio-timeout=SECONDS) such a test fails there and the run goes on."
)
INTERRUPTED_FORCED: Final = (
    "Ctrl-C was pressed again before it had finished unwinding, and it was ended by force. If "
    "it catches CancelledError, let it propagate: re-raise it after your cleanup."
)
INTERRUPT_TASKS_SECTION: Final = "other asyncio tasks pending at the interruption"

# --- deadlocks on virtual time -------------------------------------------------------------

DEADLOCK: Final = (
    "{what} can never finish: every task on its {loop} is waiting, no timer is scheduled, "
    "and nothing outside the loop can wake it (no socket or pipe it watches, no executor job, "
    "subprocess or thread at work, no signal handler). On virtual time that is a deadlock, "
    "so it was cancelled at once instead of hanging. The waiting tasks, each with where it "
    "waits, outermost call first:\n{tasks}\n"
    "Each innermost await above waits for something only one of these tasks could do: set "
    "an event or a future, release a lock, put an item in a queue. Make the code that should "
    "do it run, or bound the wait with asyncio.timeout()."
)
DEADLOCK_JOB: Final = "{what}, waiting here:"
DEADLOCK_UNWINDING: Final = (
    "Cancelled, it waited again, while unwinding, for something that can never come (in a "
    "finally block, an except clause or an async with's exit, or after catching the "
    "CancelledError), here:\n{chain}\n"
    "So it was closed by force (GeneratorExit raised there) and the rest of its cleanup did "
    "not run. In cleanup code, do not await what only the cancelled code would have done."
)
DEADLOCK_ABANDONED: Final = (
    "Closing it did not end it either (it caught GeneratorExit and waited again), so its "
    "{loop} was abandoned: nothing more runs on that loop, and the fixture teardowns and "
    "later tests that need it fail. Let GeneratorExit propagate."
)
