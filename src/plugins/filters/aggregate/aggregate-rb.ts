// The Ruby half of the aggregate filter, evaluated once into the shared Ruby VM (ruby/vm.ts). The
// task maps live here, as Ruby Hashes the `code` option mutates in place; they are shared by every
// aggregate filter of a pipeline with the same task_id pattern, as in logstash-filter-aggregate
// 2.10. Time is never read here: the TypeScript side passes "now" (seconds) with each call, so
// timeouts follow the clock it is given. Plain Ruby between the backquotes.
export const AGGREGATE_RUBY = String.raw`
module LogStash
  class ConfigurationError < StandardError; end unless defined?(LogStash::ConfigurationError)

  module Filters
    class Aggregate
      DEFAULT_TIMEOUT = 1800
      TIMEOUT_OPTIONS = %w[timeout inactivity_timeout timeout_code push_map_as_event_on_timeout push_previous_map_as_event timeout_task_id_field timeout_tags].freeze

      # One task map and its meta (the code's map_meta): times in seconds; ts_offset is event time
      # minus clock time at the last event when timeouts follow an event field.
      class Element
        attr_accessor :creation_timestamp, :lastevent_timestamp, :map, :task_id, :timeout, :inactivity_timeout, :ts_offset
        def initialize(task_id, at)
          @task_id = task_id
          @creation_timestamp = at
          @lastevent_timestamp = at
          @map = {}
          @ts_offset = 0
        end
      end

      # What the aggregate filters of one pipeline share.
      class Shared
        attr_accessor :maps, :default_timeout, :flush_instance, :last_flush, :maps_path_owner
        def initialize
          @maps = {}
          @default_timeout = nil
          @flush_instance = {}
          @last_flush = {}
          @maps_path_owner = nil
        end
      end

      @pipelines = {}
      class << self
        attr_reader :pipelines
      end

      attr_reader :logger, :task_id_pattern
      attr_accessor :timeout, :inactivity_timeout

      def initialize(id)
        @logger = Logger.new(id)
      end

      def __register(o)
        @pipeline_id = o['pipeline_id']
        @task_id_pattern = o['task_id']
        @map_action = o['map_action']
        @end_of_task = o['end_of_task']
        @timeout = o['timeout']
        @inactivity_timeout = o['inactivity_timeout']
        @timeout_code = o['timeout_code']
        @push_map = o['push_map_as_event_on_timeout']
        @push_previous = o['push_previous_map_as_event']
        @timeout_task_id_field = o['timeout_task_id_field']
        @timeout_tags = o['timeout_tags'] || []
        @ts_field = o['timeout_timestamp_field']
        @has_maps_path = o['aggregate_maps_path']
        code = @code = o['code']
        eval("def self.__code(event, map, map_meta, &new_event_block) #{code}\nend", binding, '(aggregate filter code)')
        eval("def self.__timeout_code(event) #{@timeout_code}\nend", binding, '(aggregate filter timeout code)') if @timeout_code
        @shared = (Aggregate.pipelines[@pipeline_id] ||= Shared.new)
        if timeout_options?
          if @shared.flush_instance.key?(@task_id_pattern)
            raise ConfigurationError, "Aggregate plugin: For task_id pattern '#{@task_id_pattern}', there are more than one filter which defines timeout options. All timeout options have to be defined in only one aggregate filter per task_id pattern. Timeout options are : #{TIMEOUT_OPTIONS.join(', ')}"
          end
          @shared.flush_instance[@task_id_pattern] = self
        end
        @shared.default_timeout = @timeout if @timeout && (@shared.default_timeout.nil? || @timeout < @shared.default_timeout)
        if @inactivity_timeout && ((@timeout && @inactivity_timeout > @timeout) || (@shared.default_timeout && @inactivity_timeout > @shared.default_timeout))
          raise ConfigurationError, "Aggregate plugin: For task_id pattern #{@task_id_pattern}, inactivity_timeout must be lower than timeout"
        end
        if @has_maps_path
          raise ConfigurationError, "Aggregate plugin: Option 'aggregate_maps_path' must be set on only one aggregate filter" if @shared.maps_path_owner
          @shared.maps_path_owner = self
        end
        @shared.maps[@task_id_pattern] ||= {}
        nil
      end

      # One event: [ops, cancelled, events to add (wire), code ran without error].
      def __filter(event, task_id, now)
        return [event.__ops, event.cancelled?, [], false, false] if task_id.nil?
        added = []
        ok = false
        maps = @shared.maps[@task_id_pattern]
        at = reference_time(event, now)
        expired = @ts_field ? remove_expired_by_event_time(maps, task_id, at) : nil
        element = maps[task_id]
        if element.nil?
          return [event.__ops, event.cancelled?, [], false, false] if @map_action == 'update'
          expired = previous_map_event(maps) if @push_previous && !maps.empty?
          element = Element.new(task_id, at)
          maps[task_id] = element
        elsif @map_action == 'create'
          return [event.__ops, event.cancelled?, [], false, false]
        end
        element.lastevent_timestamp = at
        element.ts_offset = at - now
        begin
          __code(event, element.map, element) { |e| added << e }
          @logger.debug('Aggregate successful filter code execution', code: @code)
          ok = true
        rescue StandardError => e
          @logger.error('Aggregate exception occurred', error: e.message, class: e.class.name, map: element.map, event_data: event.to_hash_with_metadata)
          event.tag('_aggregateexception')
        end
        if @end_of_task
          maps.delete(task_id)
        elsif element.timeout == 0 || element.inactivity_timeout == 0
          maps.delete(task_id)
          added << timeout_event(element.map, task_id) if @push_map || @push_previous
        end
        added << expired if expired
        [event.__ops, event.cancelled?, added.map(&:__to_wire), ok, true]
      end

      # Logstash's flush: expired maps become events (when pushed); final also pushes the last
      # previous map and tags what it pushes _aggregatefinalflush.
      def __flush(now, final)
        @shared.default_timeout ||= DEFAULT_TIMEOUT
        owner = @shared.flush_instance[@task_id_pattern]
        if owner.nil?
          @shared.flush_instance[@task_id_pattern] = owner = self
          @timeout = @shared.default_timeout
        elsif owner.timeout.nil?
          owner.timeout = @shared.default_timeout
        end
        owner.inactivity_timeout = owner.timeout if owner.inactivity_timeout.nil?
        return [] unless owner.equal?(self)
        last = @shared.last_flush[@task_id_pattern]
        return [] unless last.nil? || now > last + @inactivity_timeout / 2 || final
        events = remove_expired(now)
        maps = @shared.maps[@task_id_pattern]
        events << previous_map_event(maps) if final && @push_previous && !maps.empty?
        events.each { |e| e.tag('_aggregatefinalflush') } if final
        @shared.last_flush[@task_id_pattern] = now
        events.map(&:__to_wire)
      end

      # Maps of every pattern of the pipeline, for aggregate_maps_path: {pattern: {task_id: [created, last, map]}}.
      def __dump
        out = {}
        @shared.maps.each do |pattern, maps|
          next if maps.empty?
          out[pattern] = maps.transform_values { |el| [el.creation_timestamp, el.lastevent_timestamp, Wire.encode(el.map)] }
        end
        Wire.generate(out)
      end

      def __load(json)
        JSON.parse(json).each do |pattern, maps|
          target = (@shared.maps[pattern] ||= {})
          maps.each do |task_id, (created, last, map)|
            el = Element.new(task_id, created)
            el.lastevent_timestamp = last
            el.map = Wire.decode(map)
            target[task_id] = el
          end
        end
        nil
      end

      def __maps
        (@shared.maps[@task_id_pattern] || {}).transform_values(&:map)
      end

      def __close
        Aggregate.pipelines.delete(@pipeline_id) if Aggregate.pipelines[@pipeline_id].equal?(@shared)
        nil
      end

      private

      def timeout_options?
        @timeout || @inactivity_timeout || @timeout_code || @push_map || @push_previous || @timeout_task_id_field || !@timeout_tags.empty?
      end

      def reference_time(event, now)
        return now unless @ts_field
        value = event.get(@ts_field)
        value.is_a?(Timestamp) ? value.to_f : now
      end

      def timeout_event(map, task_id)
        event = Event.new(map)
        event.set(@timeout_task_id_field, task_id) if @timeout_task_id_field
        @timeout_tags.each { |t| event.tag(t) }
        if @timeout_code
          begin
            __timeout_code(event)
          rescue StandardError => e
            @logger.error('Aggregate exception occurred', error: e.message, class: e.class.name, timeout_code: @timeout_code, timeout_event_data: event.to_hash_with_metadata)
            event.tag('_aggregateexception')
          end
        end
        event
      end

      def previous_map_event(maps)
        task_id, element = maps.shift
        timeout_event(element.map, task_id)
      end

      def expired?(el, at)
        timeout = el.timeout || @timeout || @shared.default_timeout || DEFAULT_TIMEOUT
        inactivity = el.inactivity_timeout || @inactivity_timeout || timeout
        el.creation_timestamp < at - timeout || el.lastevent_timestamp < at - inactivity
      end

      def remove_expired_by_event_time(maps, task_id, at)
        el = maps[task_id]
        return nil if el.nil? || !expired?(el, at)
        maps.delete(task_id)
        @push_map || @push_previous ? timeout_event(el.map, task_id) : nil
      end

      def remove_expired(now)
        events = []
        @shared.maps[@task_id_pattern].delete_if do |task_id, el|
          next false unless expired?(el, now + el.ts_offset)
          events << timeout_event(el.map, task_id) if @push_map || @push_previous
          true
        end
        events
      end
    end
  end

  module Flowstash
    class << self
      def create_aggregate(id)
        @filters[id] = Filters::Aggregate.new(id)
        JSON.generate({ 'ok' => nil, 'log' => drain_log })
      end

      # A worker batch "now\x01flags\x01[task ids]\x01[data…]\x01[metadata…]" → one row per event, in order.
      def run_aggregate(id, text)
        now, flags, task_ids, data, meta = text.to_s.split("\x01", 5)
        filter = @filters.fetch(id)
        batch = WireBatch.new(data, meta)
        task_ids = JSON.parse(task_ids)
        now = now.to_f
        rows = []
        i = 0
        n = flags.length
        GC.disable
        while i < n
          rows << filter.__filter(Event.__from_wire(batch, i, flags.getbyte(i) == 49), task_ids[i], now)
          i += 1
        end
        GC.enable
        Wire.generate({ 'ok' => rows, 'log' => drain_log })
      rescue Exception => e # rubocop:disable Lint/RescueException -- everything must come back as a reply
        GC.enable
        JSON.generate({ 'error' => [e.class.name, e.message, (e.backtrace || []).first(5)], 'log' => drain_log })
      end
    end
  end
end
`;
