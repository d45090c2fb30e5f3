# frozen_string_literal: true

# Lambda Workbench's Ruby runtime: the process inside a Ruby execution environment.
#
# Standard library only. It requires the handler's file from LAMBDA_TASK_ROOT (init), then pulls
# invocations from the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API) forever, reporting results,
# errors and log lines the way Lambda's own Ruby runtime (aws_lambda_ric) does.

require 'json'
require 'logger'
require 'net/http'
require 'time'

$stdout.sync = true
$stderr.sync = true

# Debug mode (`ruby -r debug/open_nonstop`): the debug gem has read its settings; the function sees Lambda's ENV.
%w[RUBY_DEBUG_HOST RUBY_DEBUG_PORT RUBY_DEBUG_SKIP_PATH RUBY_DEBUG_NO_RC].each { |name| ENV.delete(name) } if defined?(DEBUGGER__)

module LambdaWorkbench
  API_PREFIX = '/2018-06-01/runtime'

  class << self
    attr_accessor :request_id
  end

  # Lambda's Ruby error shape: errorType is `<Phase><ExceptionClass>`, stackTrace the backtrace
  # up to the first frame of the runtime itself.
  class LambdaError < StandardError
    attr_reader :error_type, :error_message, :stack_trace

    def initialize(original, classification)
      @error_type = "#{classification}<#{original.class}>"
      @error_message = original.message
      # Ruby's own `<internal:…>` frames (require) are not the user's code.
      frames = (original.backtrace || []).reject { |line| line.start_with?('<internal:') }
      @stack_trace = frames.take_while { |line| !line.include?(__FILE__) }.first(100)
      super(original.message)
    end

    def to_lambda_response
      { errorMessage: @error_message, errorType: @error_type, stackTrace: @stack_trace }
    end
  end

  # One record per line: a multi-line record keeps its inner line breaks as \r, as the Node runtime does.
  def self.write_record(text)
    $stdout.write(text.to_s.chomp.gsub("\n", "\r") + "\n")
  end

  def self.log_error(error, message)
    write_record("#{message}\n#{JSON.pretty_generate(error.to_lambda_response)}")
  end

  # `[I, [2024-01-01T00:00:00.000000 #42]  INFO <request id> -- : message]`, Lambda's Ruby logger format.
  class LogFormatter < Logger::Formatter
    def call(severity, time, progname, msg)
      line = format('%<sev>s, [%<datetime>s #%<pid>d] %<severity>5s %<request_id>s -- %<progname>s: %<msg>s',
                    sev: severity[0], datetime: time.utc.strftime('%Y-%m-%dT%H:%M:%S.%6N'), pid: Process.pid,
                    severity: severity, request_id: LambdaWorkbench.request_id, progname: progname, msg: msg2str(msg))
      line.chomp.gsub("\n", "\r") + "\n"
    end
  end

  # Loggers on $stdout/$stderr get Lambda's formatter, as Lambda's runtime patches Logger.
  module LoggerPatch
    def initialize(logdev, *args, **kwargs)
      super
      @default_formatter = LogFormatter.new if logdev.equal?($stdout) || logdev.equal?($stderr)
    end
  end

  class Context
    attr_reader :aws_request_id, :invoked_function_arn, :log_group_name, :log_stream_name, :function_name,
                :memory_limit_in_mb, :function_version, :identity, :client_context, :tenant_id, :deadline_ms

    def initialize(headers)
      @deadline_ms = headers['lambda-runtime-deadline-ms'].to_i
      @aws_request_id = headers['lambda-runtime-aws-request-id']
      @invoked_function_arn = headers['lambda-runtime-invoked-function-arn']
      @tenant_id = headers['lambda-runtime-aws-tenant-id']
      @log_group_name = ENV['AWS_LAMBDA_LOG_GROUP_NAME']
      @log_stream_name = ENV['AWS_LAMBDA_LOG_STREAM_NAME']
      @function_name = ENV['AWS_LAMBDA_FUNCTION_NAME']
      @memory_limit_in_mb = ENV['AWS_LAMBDA_FUNCTION_MEMORY_SIZE']
      @function_version = ENV['AWS_LAMBDA_FUNCTION_VERSION']
      identity = headers['lambda-runtime-cognito-identity']
      @identity = JSON.parse(identity) if identity && !identity.empty?
      client_context = headers['lambda-runtime-client-context']
      @client_context = JSON.parse(client_context) if client_context && !client_context.empty?
    end

    def get_remaining_time_in_millis
      now = Process.clock_gettime(Process::CLOCK_REALTIME, :millisecond)
      remaining = @deadline_ms - now + LambdaWorkbench.paused_ms
      remaining.positive? ? remaining.to_i : 0
    end
  end

  # Debug mode: time the host's timeout clock stood still while a debugger held the process.
  def self.paused_ms
    path = ENV['_LAMBDA_WORKBENCH_PAUSE_FILE']
    return 0 if path.nil? || path.empty?

    state = JSON.parse(File.read(path))
    paused = state['pausedMs'] || 0
    since = state['pausedSince']
    paused += [0, Process.clock_gettime(Process::CLOCK_REALTIME, :millisecond) - since].max if since.is_a?(Numeric)
    paused
  rescue StandardError
    0
  end

  # One keep-alive HTTP connection to the host's Runtime API.
  class RuntimeApiClient
    def initialize(host_port)
      host, _, port = host_port.rpartition(':')
      @http = Net::HTTP.new(host, port.to_i)
      # GET /next waits as long as the environment is idle.
      @http.read_timeout = nil
      @http.keep_alive_timeout = 3600
      @http.start
    end

    def next_invocation
      response = request(Net::HTTP::Get.new("#{API_PREFIX}/invocation/next"))
      raise "GET /invocation/next returned #{response.code}" unless response.code == '200'

      headers = {}
      response.each_header { |k, v| headers[k.downcase] = v }
      [response.body, headers]
    end

    def post_response(request_id, body)
      post("#{API_PREFIX}/invocation/#{request_id}/response", body)
    end

    def post_error(request_id, error)
      post("#{API_PREFIX}/invocation/#{request_id}/error", JSON.generate(error.to_lambda_response), error.error_type)
    end

    def post_init_error(error)
      post("#{API_PREFIX}/init/error", JSON.generate(error.to_lambda_response), error.error_type)
    end

    private

    def post(path, body, error_type = nil)
      req = Net::HTTP::Post.new(path)
      req['Content-Type'] = 'application/json'
      req['Lambda-Runtime-Function-Error-Type'] = error_type if error_type
      req.body = body
      request(req)
    end

    def request(req)
      @http.request(req)
    rescue IOError, SystemCallError
      # A keep-alive connection the host closed: reconnect once.
      @http.finish if @http.started?
      @http.start
      @http.request(req)
    end
  end

  # `file.method` or `file.Module::Class.method`, as Lambda's Ruby runtime reads _HANDLER.
  class Handler
    attr_reader :file

    def initialize(handler)
      parts = handler.split('.')
      case parts.size
      when 2 then @file, @method_name = parts
      when 3 then @file, @class_name, @method_name = parts
      else
        raise ArgumentError, "Invalid handler #{parts}, must be of form FILENAME.METHOD or FILENAME.CLASS.METHOD " \
                             'where FILENAME corresponds with an existing Ruby source file FILENAME.rb, CLASS is an ' \
                             'optional module/class namespace and METHOD is a callable method. If using CLASS, METHOD ' \
                             'must be a class-level method.'
      end
    end

    def call(event, context)
      receiver = @class_name ? Kernel.const_get(@class_name) : TOPLEVEL_BINDING.receiver
      unless receiver.respond_to?(@method_name, true)
        # Never raised, so the message carries no error_highlight snippet of this file.
        missing = NoMethodError.new("undefined method `#{@method_name}' for #{receiver.inspect}:#{receiver.class}")
        raise LambdaError.new(missing, 'Function')
      end

      receiver.__send__(@method_name, event: event, context: context)
    end
  end

  def self.handle(client, handler, body, headers)
    request_id = headers['lambda-runtime-aws-request-id']
    self.request_id = request_id
    # Lambda's Ruby runtime keeps the id in this global, which logging libraries read.
    $_global_aws_request_id = request_id
    trace_id = headers['lambda-runtime-trace-id']
    if trace_id
      ENV['_X_AMZN_TRACE_ID'] = trace_id
    else
      ENV.delete('_X_AMZN_TRACE_ID')
    end
    begin
      event = body.nil? || body.empty? ? nil : JSON.parse(body)
      result = JSON.generate(handler.call(event, Context.new(headers)), quirks_mode: true)
    rescue StandardError, ScriptError, SystemStackError, NoMemoryError => e
      error = e.is_a?(LambdaError) ? e : LambdaError.new(e, 'Function')
      log_error(error, 'Error raised from handler method')
      client.post_error(request_id, error)
      return
    end
    client.post_response(request_id, result)
  end

  def self.main
    task_root = ENV['LAMBDA_TASK_ROOT'] || Dir.pwd
    $LOAD_PATH.unshift(task_root)
    Logger.prepend(LoggerPatch)
    client = RuntimeApiClient.new(ENV.fetch('AWS_LAMBDA_RUNTIME_API'))
    begin
      handler = Handler.new(ENV['_HANDLER'] || '')
      require File.expand_path(handler.file, task_root)
    rescue Exception => e # rubocop:disable Lint/RescueException -- any failure of the user's file is an init error
      error = LambdaError.new(e, 'Init')
      log_error(error, 'Init error when loading handler')
      client.post_init_error(error)
      exit(1)
    end
    loop do
      body, headers = client.next_invocation
      handle(client, handler, body, headers)
    end
  end
end

LambdaWorkbench.main if $PROGRAM_NAME == __FILE__
