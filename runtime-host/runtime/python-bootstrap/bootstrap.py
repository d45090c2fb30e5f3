"""Lambda Workbench's Python runtime: the process inside a Python execution environment.

Standard library only. It loads `module.function` from LAMBDA_TASK_ROOT (init), then pulls
invocations from the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API) forever, reporting results,
errors and log lines the way Lambda's own Python runtime (awslambdaric) does.
"""

import decimal
import http.client
import importlib
import importlib.util
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback

API_PREFIX = "/2018-06-01/runtime"
ERROR_LOG_LINE_TERMINATE = "\r"

_current_request_id = None


class FaultException(Exception):
    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"

    def __init__(self, exception_type, msg, trace=None):
        super().__init__(msg)
        self.msg = msg
        self.exception_type = exception_type
        self.trace = trace


class Unbuffered:
    """print() output reaches the host as it happens, as in Lambda."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, data):
        self.stream.write(data)
        self.stream.flush()

    def writelines(self, datas):
        self.stream.writelines(datas)
        self.stream.flush()

    def __getattr__(self, attr):
        return getattr(self.stream, attr)


# --- the Runtime API ------------------------------------------------------------------------


class RuntimeApiClient:
    """One keep-alive HTTP connection to the host's Runtime API."""

    def __init__(self, host_port):
        host, _, port = host_port.rpartition(":")
        self.host = host
        self.port = int(port)
        self.connection = http.client.HTTPConnection(self.host, self.port)

    def _request(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                data = response.read()
                return response, data
            except (http.client.HTTPException, ConnectionError):
                # A keep-alive connection the host closed: reconnect once.
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port)
                if attempt:
                    raise

    def wait_next_invocation(self):
        response, body = self._request("GET", API_PREFIX + "/invocation/next")
        if response.status != 200:
            raise RuntimeError("GET /invocation/next returned %d" % response.status)
        return body, {k.lower(): v for k, v in response.getheaders()}

    def post_invocation_result(self, invoke_id, result_json, background=None):
        self._request(
            "POST",
            "%s/invocation/%s/response" % (API_PREFIX, invoke_id),
            body=result_json.encode("utf-8"),
            headers=with_background({"Content-Type": "application/json"}, background),
        )

    def post_invocation_error(self, invoke_id, error_result, background=None):
        self._request(
            "POST",
            "%s/invocation/%s/error" % (API_PREFIX, invoke_id),
            body=to_json(error_result).encode("utf-8"),
            headers=with_background(
                {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_result["errorType"]}, background
            ),
        )

    def post_init_error(self, error_result):
        self._request(
            "POST",
            API_PREFIX + "/init/error",
            body=to_json(error_result).encode("utf-8"),
            headers={"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_result["errorType"]},
        )


# --- errors ---------------------------------------------------------------------------------


def decimal_serializer(o):
    if isinstance(o, decimal.Decimal):
        return float(o)
    raise TypeError(repr(o) + " is not JSON serializable")


def to_json(obj):
    return json.dumps(obj, default=decimal_serializer)


def make_error(error_message, error_type, stack_trace, invoke_id=None):
    return {
        "errorMessage": error_message if error_message else "",
        "errorType": error_type if error_type else "",
        "requestId": invoke_id if invoke_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def user_frames(tb):
    """The traceback without this bootstrap's own frames, as traceback.format_list strings."""
    tb_tuples = traceback.extract_tb(tb)
    for i, frame in enumerate(tb_tuples):
        if "/bootstrap.py" not in frame.filename:
            return traceback.format_list(tb_tuples[i:])
    return traceback.format_list(tb_tuples)


def build_fault_result(exc_info, invoke_id=None):
    etype, value, tb = exc_info
    return make_error(str(value), etype.__name__, user_frames(tb), invoke_id)


def log_error(error_result):
    description = "[ERROR]"
    if error_result.get("errorType"):
        description += " " + error_result["errorType"]
    if error_result.get("errorMessage"):
        if error_result.get("errorType"):
            description += ":"
        description += " " + error_result["errorMessage"]
    lines = [description]
    stack_trace = error_result.get("stackTrace")
    if stack_trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack_trace:
            if element == "":
                lines.append("")
            else:
                lines.extend(element.splitlines())
    sys.stdout.write(ERROR_LOG_LINE_TERMINATE.join(lines) + "\n")


# --- handler resolution ---------------------------------------------------------------------


def make_fault_handler(fault):
    def fault_handler(event, context):
        raise fault

    return fault_handler


def get_handler(handler):
    try:
        (modname, fname) = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(FaultException.MALFORMED_HANDLER_NAME, "Bad handler '{}': {}".format(handler, str(e)))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                FaultException.BUILT_IN_MODULE_CONFLICT,
                "Cannot use built-in module {} as a handler module".format(modname),
            )
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException(FaultException.IMPORT_MODULE_ERROR, "Unable to import module '{}': {}".format(modname, str(e)))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(FaultException.USER_CODE_SYNTAX_ERROR, "Syntax error in module '{}': {}".format(modname, str(e)), trace)
    try:
        return getattr(module, fname)
    except AttributeError:
        # Lambda's Python runtime reports this per invocation, not as an init failure.
        return make_fault_handler(
            FaultException(FaultException.HANDLER_NOT_FOUND, "Handler '{}' missing on module '{}'".format(fname, modname), None)
        )


# --- the context object ---------------------------------------------------------------------


def _paused_ms():
    """Debug mode: time the host's timeout clock stood still while a debugger held the process."""
    path = os.environ.get("_LAMBDA_WORKBENCH_PAUSE_FILE")
    if not path:
        return 0
    try:
        with open(path, "r", encoding="utf-8") as f:
            state = json.load(f)
        paused = state.get("pausedMs") or 0
        since = state.get("pausedSince")
        if isinstance(since, (int, float)):
            paused += max(0, time.time() * 1000 - since)
        return paused
    except (OSError, ValueError, AttributeError):
        return 0


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __repr__(self):
        return "CognitoIdentity([cognito_identity_id={},cognito_identity_pool_id={}])".format(self.cognito_identity_id, self.cognito_identity_pool_id)


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext:
    __slots__ = ["custom", "env", "client"]


def make_obj_from_dict(_class, _dict, fields=None):
    if _dict is None:
        return None
    obj = _class()
    for field in fields or _class.__slots__:
        setattr(obj, field, _dict.get(field))
    return obj


def make_client_context(data):
    if not data:
        return None
    context = ClientContext()
    context.custom = data.get("custom")
    context.env = data.get("env")
    context.client = make_obj_from_dict(Client, data.get("client"))
    return context


class LambdaContext:
    def __init__(self, invoke_id, client_context, cognito_identity, epoch_deadline_time_in_ms, invoked_function_arn=None, tenant_id=None):
        self.aws_request_id = invoke_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = make_client_context(client_context)
        self.identity = CognitoIdentity()
        self.identity.cognito_identity_id = (cognito_identity or {}).get("cognitoIdentityId")
        self.identity.cognito_identity_pool_id = (cognito_identity or {}).get("cognitoIdentityPoolId")
        self._epoch_deadline_time_in_ms = epoch_deadline_time_in_ms

    def get_remaining_time_in_millis(self):
        return int(max(self._epoch_deadline_time_in_ms - int(round(time.time() * 1000)) + _paused_ms(), 0))

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id={},log_group_name={},log_stream_name={},function_name={},memory_limit_in_mb={},"
            "function_version={},invoked_function_arn={},client_context={},identity={},tenant_id={}])".format(
                self.aws_request_id,
                self.log_group_name,
                self.log_stream_name,
                self.function_name,
                self.memory_limit_in_mb,
                self.function_version,
                self.invoked_function_arn,
                self.client_context,
                self.identity,
                self.tenant_id,
            )
        )


# --- logging --------------------------------------------------------------------------------

_LOG_LEVELS = {"TRACE": 5, "DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARN": logging.WARNING, "ERROR": logging.ERROR, "FATAL": logging.CRITICAL}


class LambdaLoggerFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _current_request_id or ""
        return True


class LambdaLoggerHandler(logging.Handler):
    """One logging record is one line: inner newlines become \\r, as the Node runtime does."""

    def emit(self, record):
        try:
            message = self.format(record)
        except Exception:
            self.handleError(record)
            return
        sys.stdout.write(message.rstrip("\n").replace("\n", "\r") + "\n")


class JsonFormatter(logging.Formatter):
    def format(self, record):
        result = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + ".%03dZ" % record.msecs,
            "level": "WARN" if record.levelname == "WARNING" else ("FATAL" if record.levelname == "CRITICAL" else record.levelname),
            "message": record.getMessage(),
            "logger": record.name,
            "requestId": getattr(record, "aws_request_id", ""),
        }
        if record.exc_info:
            etype, value, tb = record.exc_info
            result.update({"errorType": etype.__name__, "errorMessage": str(value), "stackTrace": traceback.format_tb(tb)})
        return json.dumps(result, default=str)


def setup_logging():
    logging.Formatter.converter = time.gmtime
    logger = logging.getLogger()
    handler = LambdaLoggerHandler()
    if os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S")
        )
    # Like Lambda: the root logger keeps Python's default (WARNING) unless AWS_LAMBDA_LOG_LEVEL says otherwise.
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in _LOG_LEVELS:
        logger.setLevel(_LOG_LEVELS[level])
    handler.addFilter(LambdaLoggerFilter())
    logger.addHandler(handler)


# --- the invocation loop --------------------------------------------------------------------


def parse_json_header(value, name):
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError as e:
        raise FaultException(FaultException.UNMARSHAL_ERROR, "Unable to parse {} JSON: {}".format(name, str(e)))


def with_background(headers, background):
    """The host freezes the environment after this post: tell it which threads the function left running."""
    if background:
        headers["Lambda-Workbench-Background"] = ",".join(background)
    return headers


def handle_event_request(client, request_handler, body, headers):
    global _current_request_id
    invoke_id = headers.get("lambda-runtime-aws-request-id")
    _current_request_id = invoke_id
    trace_id = headers.get("lambda-runtime-trace-id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    error_result = None
    result = None
    threads_before = None
    try:
        try:
            event = json.loads(body) if body else None
        except ValueError as e:
            raise FaultException(FaultException.UNMARSHAL_ERROR, "Unable to unmarshal input: {}".format(str(e)), None)
        context = LambdaContext(
            invoke_id,
            parse_json_header(headers.get("lambda-runtime-client-context"), "ClientContext"),
            parse_json_header(headers.get("lambda-runtime-cognito-identity"), "CognitoIdentity"),
            int(headers.get("lambda-runtime-deadline-ms", "0")),
            headers.get("lambda-runtime-invoked-function-arn"),
            headers.get("lambda-runtime-aws-tenant-id"),
        )
        threads_before = set(threading.enumerate())
        response = request_handler(event, context)
        try:
            result = to_json(response)
        except Exception as e:
            raise FaultException(FaultException.MARSHAL_ERROR, "Unable to marshal response: {}".format(str(e)), None)
    except FaultException as e:
        error_result = make_error(e.msg, e.exception_type, e.trace, invoke_id)
    except Exception:
        error_result = build_fault_result(sys.exc_info(), invoke_id)

    background = [type(t).__name__ for t in threading.enumerate() if t.is_alive() and t not in threads_before] if threads_before else []
    if error_result is not None:
        log_error(error_result)
        client.post_invocation_error(invoke_id, error_result, background)
    else:
        client.post_invocation_result(invoke_id, result, background)


def _kill_environment():
    """The host is gone: end this environment's cgroup peers, process group and self."""
    pids = set()
    try:
        with open("/proc/self/cgroup") as f:
            for line in f.read().splitlines():
                parts = line.split(":", 2)
                if len(parts) != 3 or "/lambda-workbench/" not in parts[2]:
                    continue
                controller = parts[1].split(",")[0]
                base = "/sys/fs/cgroup" + ("/" + controller if controller else "")
                try:
                    with open(base + parts[2] + "/cgroup.procs") as procs:
                        pids.update(int(p) for p in procs.read().split())
                except OSError:
                    pass
    except OSError:
        pass
    pids.discard(os.getpid())
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.killpg(os.getpgid(0), signal.SIGKILL)
    finally:
        os._exit(137)


def watch_parent():
    """Parent-death detection: a host killed with SIGKILL cannot clean up, so the environment does."""
    parent = os.getppid()

    def poll():
        while True:
            time.sleep(0.25)
            if os.getppid() != parent:
                _kill_environment()

    threading.Thread(target=poll, name="lambda-workbench-parent-watch", daemon=True).start()


# Service names whose AWS_ENDPOINT_URL_<ID> differs from the upper-cased signing name.
ENDPOINT_SERVICE_IDS = {"events": "EVENTBRIDGE"}


def _endpoint_from_environment(service_name):
    service_id = ENDPOINT_SERVICE_IDS.get(service_name, service_name.upper().replace("-", "_").replace(" ", "_"))
    return os.environ.get("AWS_ENDPOINT_URL_" + service_id) or os.environ.get("AWS_ENDPOINT_URL")


def _patch_old_botocore(session_module):
    import botocore

    try:
        version = tuple(int(p) for p in botocore.__version__.split(".")[:2])
    except ValueError:
        return
    if version >= (1, 31):
        return
    original = session_module.Session.create_client

    def create_client(self, service_name, *args, **kwargs):
        # endpoint_url is the fifth positional parameter after service_name; an explicit one wins.
        if len(args) < 5 and kwargs.get("endpoint_url") is None:
            url = _endpoint_from_environment(service_name)
            if url:
                kwargs["endpoint_url"] = url
        return original(self, service_name, *args, **kwargs)

    session_module.Session.create_client = create_client


class LocalEndpointForOldBotocore:
    """botocore before 1.31 (Debian's python3-boto3) ignores AWS_ENDPOINT_URL[_<SERVICE>], which the
    host sets so that unmodified clients reach its local AWS endpoint. When (and only when) the
    function imports botocore.session, its clients get that endpoint as newer botocore would give it.
    """

    def find_spec(self, name, path=None, target=None):
        if name != "botocore.session":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            _patch_old_botocore(module)

        spec.loader.exec_module = exec_and_patch
        return spec


def main():
    if os.environ.get("AWS_ENDPOINT_URL"):
        sys.meta_path.insert(0, LocalEndpointForOldBotocore())
    watch_parent()
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    # The task root replaces this script's folder at the front of sys.path: user modules, not ours.
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
        sys.path[0] = task_root
    else:
        sys.path.insert(0, task_root)
    setup_logging()
    client = RuntimeApiClient(os.environ["AWS_LAMBDA_RUNTIME_API"])

    error_result = None
    try:
        request_handler = get_handler(os.environ.get("_HANDLER", ""))
    except FaultException as e:
        error_result = make_error(e.msg, e.exception_type, e.trace)
    except Exception:
        error_result = build_fault_result(sys.exc_info())
    if error_result is not None:
        log_error(error_result)
        client.post_init_error(error_result)
        sys.exit(1)

    while True:
        body, headers = client.wait_next_invocation()
        handle_event_request(client, request_handler, body, headers)


if __name__ == "__main__":
    main()
