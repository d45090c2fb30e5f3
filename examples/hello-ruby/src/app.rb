require 'json'
require 'logger'

module Hello
  # An HTTP API (payload 2.0) handler: GET /hello/{name} → a JSON greeting.
  class Handler
    LOGGER = Logger.new($stdout)

    def self.call(event:, context:)
      name = event.dig('pathParameters', 'name') || 'world'
      LOGGER.info("greeting #{name}, #{context.get_remaining_time_in_millis} ms left")
      {
        statusCode: 200,
        headers: { 'content-type' => 'application/json' },
        body: JSON.generate(message: "#{ENV.fetch('GREETING', 'Hello')}, #{name}!", requestId: context.aws_request_id)
      }
    end
  end
end
