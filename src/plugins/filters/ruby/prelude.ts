// The Ruby side of the ruby filter (see the header comment inside), evaluated once per Ruby VM.
// Kept as a string module so the compiled dist/ carries it; it is plain Ruby between the backquotes.
export const PRELUDE = String.raw`
# encoding: utf-8
# What Logstash gives Ruby code, rebuilt for CRuby: LogStash::Event (a Ruby-side copy of the event
# that records what the code changes, so flowstash replays the same operations on its own event),
# LogStash::Timestamp, the filter's logger, the ruby filter's inline/file-script runners and the
# script test DSL. The TypeScript side (bridge.ts) sends a worker batch as one JSON text and gets
# one JSON text back: one crossing of the WebAssembly boundary per batch, not per event.
require 'json'

module LogStash
  module Filters; end

  # Logstash raises this when a value of a Ruby class it cannot store is set on an event.
  class MissingConverterException < StandardError; end
  class TimestampParserError < StandardError; end

  # Messages the Ruby code logs; the TypeScript side drains them into flowstash's log after each call.
  module Flowstash
    @log = []
    @hostname = 'localhost'
    @filters = {}
    class << self
      attr_accessor :hostname
      attr_reader :log, :filters

      def drain_log
        out = @log
        @log = []
        out
      end
    end
  end

  class Logger
    def initialize(name)
      @name = name
    end

    %w[trace debug info warn error fatal].each do |level|
      define_method(level) do |message = nil, data = nil, &block|
        message = block.call if message.nil? && block
        entry = [level == 'fatal' ? 'error' : level, @name, message.to_s]
        entry << Wire.encode(data) if data.is_a?(Hash) && !data.empty?
        Flowstash.log << entry
        nil
      end
      define_method("#{level}?") { true }
    end
  end

  class Timestamp
    include Comparable
    attr_reader :sec, :nsec

    def self.now
      new
    end

    def self.at(*args)
      new(::Time.at(*args))
    end

    def self.parse_iso8601(text)
      t = Timestamp.__parse(text)
      raise TimestampParserError, "invalid timestamp string #{text.inspect}" unless t
      t
    end

    # Logstash's coerce: a Timestamp as is, a Time converted, an ISO8601 string parsed, else nil.
    def self.coerce(value)
      case value
      when Timestamp then value
      when ::Time then new(value)
      when ::String then parse_iso8601(value)
      end
    end

    def self.__parse(text)
      m = /\A(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?\z/.match(text.to_s.strip)
      return nil unless m
      frac = (m[7] || '').ljust(9, '0').to_i
      zone = m[8].nil? || m[8] == 'Z' ? '+00:00' : m[8]
      zone = zone.sub(/\A([+-]\d{2})(\d{2})\z/, '\1:\2')
      zone += ':00' if zone.length == 3
      t = ::Time.new(m[1].to_i, m[2].to_i, m[3].to_i, m[4].to_i, m[5].to_i, m[6].to_i, zone)
      __at(t.to_i, frac)
    rescue ArgumentError
      nil
    end

    def self.__at(sec, nsec)
      ts = allocate
      ts.__set(sec, nsec)
      ts
    end

    def initialize(time = nil)
      time = ::Time.now if time.nil?
      case time
      when ::Time then __set(time.to_i, time.nsec)
      when Timestamp then __set(time.sec, time.nsec)
      else raise TypeError, "wrong argument type #{time.class} (expected Time)"
      end
    end

    def __set(sec, nsec)
      @sec = sec
      @nsec = nsec
    end

    def time
      ::Time.at(@sec, @nsec, :nsec, in: 'UTC')
    end

    def to_i
      @sec
    end

    def to_f
      @sec + @nsec / 1_000_000_000.0
    end

    def usec
      @nsec / 1000
    end
    alias tv_usec usec
    alias tv_nsec nsec

    def year
      time.year
    end

    def utc
      self
    end
    alias gmtime utc

    # Logstash 8's text: milliseconds when whole, else 6 or 9 fraction digits.
    def to_iso8601
      frac = if (@nsec % 1_000_000).zero? then format('.%03d', @nsec / 1_000_000)
             elsif (@nsec % 1000).zero? then format('.%06d', @nsec / 1000)
             else format('.%09d', @nsec)
             end
      ::Time.at(@sec, in: 'UTC').strftime('%Y-%m-%dT%H:%M:%S') + frac + 'Z'
    end
    alias to_s to_iso8601
    alias inspect to_iso8601

    def to_json(*args)
      return "{\"\\u0000t\":[#{@sec},#{@nsec}]}" if Wire.active
      to_iso8601.to_json(*args)
    end

    def <=>(other)
      other = Timestamp.new(other) if other.is_a?(::Time)
      return nil unless other.is_a?(Timestamp)
      [@sec, @nsec] <=> [other.sec, other.nsec]
    end

    def eql?(other)
      other.is_a?(Timestamp) && (self <=> other).zero?
    end

    def hash
      [@sec, @nsec].hash
    end

    # As JRuby's Timestamp: arithmetic is done on the Ruby Time (Timestamp - Timestamp is a Float of seconds).
    def -(other)
      other = other.time if other.is_a?(Timestamp)
      time - other
    end

    def +(other)
      time + other
    end
  end

  # Values an event can hold, converted the way Logstash's Valuefier converts Ruby values.
  module Valuefier
    module_function

    def convert(value)
      case value
      when ::String then value.dup
      when ::Integer, ::Float, true, false, nil, Timestamp then value
      when ::Symbol then value.to_s
      when ::Hash
        out = {}
        value.each { |k, v| out[k.to_s] = convert(v) }
        out
      when ::Array then value.map { |v| convert(v) }
      when ::Time then Timestamp.new(value)
      when Event then raise MissingConverterException, 'Missing Converter handling for full class name=org.logstash.ext.JrubyEventExtLibrary$RubyEvent, simple name=RubyEvent'
      else
        if defined?(::BigDecimal) && value.is_a?(::BigDecimal)
          value.to_f
        else
          raise MissingConverterException, "Missing Converter handling for full class name=#{java_like_class(value)}, simple name=#{java_like_class(value).split('.').last}"
        end
      end
    end

    def java_like_class(value)
      "org.jruby.Ruby#{value.class.name.to_s.split('::').last}"
    end

    def deep_copy(value)
      case value
      when ::String then value.dup
      when ::Hash
        out = {}
        value.each { |k, v| out[k] = deep_copy(v) }
        out
      when ::Array then value.map { |v| deep_copy(v) }
      else value
      end
    end
  end

  # A value as text, as Logstash's sprintf prints it (flowstash's valueToString): lists joined
  # with ",", hashes as JSON, nil as "".
  module Stringify
    module_function

    def value(v)
      case v
      when nil then ''
      when ::Array then v.map { |x| value(x) }.join(',')
      when ::Hash then JSON.generate(v)
      else v.to_s
      end
    end
  end

  # The JSON form that crosses to TypeScript: Timestamps and non-finite floats become tagged objects.
  module Wire
    TIMESTAMP = "\u0000t"
    FLOAT = "\u0000f"
    @active = false
    class << self
      attr_reader :active

      # A reply as JSON: Timestamps written tagged (Timestamp#to_json looks at active); a
      # non-finite float, which JSON cannot hold, sends the reply through encode() first.
      def generate(reply)
        @active = true
        JSON.generate(reply)
      rescue JSON::GeneratorError
        JSON.generate(encode(reply))
      ensure
        @active = false
      end
    end
    module_function

    def encode(value)
      case value
      when ::Hash
        out = {}
        value.each { |k, v| out[k.to_s] = encode(v) }
        out
      when ::Array then value.map { |v| encode(v) }
      when Timestamp then { TIMESTAMP => [value.sec, value.nsec] }
      when ::Float then value.finite? ? value : { FLOAT => value.to_s }
      when ::Symbol then value.to_s
      when ::String, ::Integer, true, false, nil then value
      when ::Time then encode(Timestamp.new(value))
      else value.to_s
      end
    end

    def decode(value)
      case value
      when ::Hash
        if value.size == 1
          ts = value[TIMESTAMP]
          return Timestamp.__at(ts[0], ts[1]) if ts
          f = value[FLOAT]
          return f.to_f if f
        end
        value.each { |k, v| value[k] = decode(v) if v.is_a?(::Hash) || v.is_a?(::Array) }
        value
      when ::Array then value.map! { |v| decode(v) }
      else value
      end
    end
  end

  # Logstash's strict field reference grammar (same rules as flowstash's fieldref.ts).
  module FieldReference
    @cache = {}
    module_function

    def parse(ref)
      ref = ref.to_s
      hit = @cache[ref]
      return hit if hit
      @cache.clear if @cache.size > 10_000
      @cache[ref.dup.freeze] = tokenize(ref).freeze
    end

    def tokenize(ref)
      return [ref] unless ref.include?('[') || ref.include?(']')
      tokens = []
      depth = 0
      start = 0
      ref.each_char.with_index do |c, i|
        if c == '['
          raise invalid(ref) if i != start
          depth += 1
          start = i + 1
        elsif c == ']'
          raise invalid(ref) if depth.zero?
          if i == start
            raise invalid(ref) if ref[i - 1] != ']'
          else
            tokens << ref[start...i]
          end
          depth -= 1
          start = i + 1
        end
      end
      raise invalid(ref) if depth != 0 || start != ref.length || tokens.empty?
      tokens
    end

    def invalid(ref)
      RuntimeError.new("Invalid FieldReference: \x60#{ref}\x60")
    end
  end

  # The JSON texts of a batch's fields and metadata, parsed on first use.
  class WireBatch
    def initialize(data_json, meta_json)
      @data_json = data_json
      @meta_json = meta_json
    end

    def data(index)
      (@data ||= JSON.parse(@data_json))[index]
    end

    def meta(index)
      (@meta ||= JSON.parse(@meta_json))[index]
    end
  end

  class Event
    METADATA = '@metadata'
    TIMESTAMP = '@timestamp'
    INTEGER_KEY = /\A-?\d+\z/

    # LogStash::Event.new(hash): @metadata becomes the metadata, a string @timestamp is parsed
    # (unparseable: _timestampparsefailure, the text kept in _@timestamp), @version defaults to "1".
    def initialize(hash = nil)
      hash = {} if hash.nil?
      raise TypeError, "wrong argument type #{hash.class} (expected Hash)" unless hash.is_a?(::Hash)
      @data = {}
      @meta = {}
      @cancelled = false
      @ops = nil
      failures = []
      raw_ts = hash.key?(TIMESTAMP) ? hash[TIMESTAMP] : hash[TIMESTAMP.to_sym]
      ts = case raw_ts
           when nil then Timestamp.new
           when Timestamp then raw_ts
           when ::Time then Timestamp.new(raw_ts)
           when ::String then Timestamp.__parse(raw_ts)
           end
      if ts.nil?
        failures << '_timestampparsefailure'
        ts = Timestamp.new
      end
      data![TIMESTAMP] = ts
      data!['@version'] = '1'
      hash.each do |k, v|
        k = k.to_s
        if k == TIMESTAMP
          data!['_@timestamp'] = Valuefier.convert(v) if failures.include?('_timestampparsefailure')
        elsif k == METADATA && v.is_a?(::Hash)
          @meta = Valuefier.convert(v)
        elsif k == 'tags' && !(v.is_a?(::String) || (v.is_a?(::Array) && v.all? { |t| t.is_a?(::String) }))
          data!['_tags'] = Valuefier.convert(v)
          failures << '_tagsparsefailure'
        else
          data![k] = Valuefier.convert(v)
        end
      end
      failures.each { |f| tag(f) }
    end

    # The event's fields, parsed from the JSON text on first use (most code reads a field or two,
    # often only @metadata); sets made before are replayed on the parsed copy.
    def data!
      return @data if @data
      @data = @batch.data(@index)
      if @nested
        Wire.decode(@data)
      else
        ts = @data[TIMESTAMP]
        @data[TIMESTAMP] = Timestamp.__at(ts[Wire::TIMESTAMP][0], ts[Wire::TIMESTAMP][1]) if ts.is_a?(::Hash) && ts.key?(Wire::TIMESTAMP)
      end
      @pending&.each do |path, value|
        begin
          set_path(@data, path, 0, value)
        rescue RuntimeError
          nil # flowstash's replay of the same set reports it
        end
      end
      @pending = nil
      @data
    end

    def meta!
      return @meta if @meta
      @meta = @batch.meta(@index)
      Wire.decode(@meta) if @nested
      @meta
    end

    # An event that came from flowstash: its operations are recorded for replay.
    def self.__from_wire(batch, index, nested)
      ev = allocate
      ev.__init_wire(batch, index, nested)
      ev
    end

    def __init_wire(batch, index, nested)
      @batch = batch
      @index = index
      @nested = nested
      @data = nil
      @meta = nil
      @pending = nil
      @cancelled = false
      @ops = []
    end

    def __ops
      @ops
    end

    def __to_wire
      [Wire.encode(data!), Wire.encode(meta!), @cancelled]
    end

    def get(ref)
      path = FieldReference.parse(ref)
      cur, i = root_of(path)
      while i < path.length
        key = path[i]
        if cur.is_a?(::Hash)
          cur = cur[key]
        elsif cur.is_a?(::Array)
          idx = list_index(key, cur.length)
          cur = idx.nil? ? nil : cur[idx]
        else
          return nil
        end
        i += 1
      end
      Valuefier.deep_copy(cur)
    end
    alias [] get

    def include?(ref)
      path = FieldReference.parse(ref)
      return true if path.length == 1 && path[0] == METADATA
      cur, i = root_of(path)
      while i < path.length
        key = path[i]
        if cur.is_a?(::Hash)
          return false unless cur.key?(key)
          cur = cur[key]
        elsif cur.is_a?(::Array)
          idx = list_index(key, cur.length)
          return false if idx.nil?
          cur = cur[idx]
        else
          return false
        end
        i += 1
      end
      true
    end

    def set(ref, value)
      path = FieldReference.parse(ref)
      value = Valuefier.convert(value)
      head = path[0]
      if head == METADATA
        if path.length == 1
          raise TypeError, "wrong argument type #{value.class} (expected Hash)" unless value.is_a?(::Hash)
          @meta = value
        else
          set_path(meta!, path, 1, value)
        end
      else
        if head == TIMESTAMP && path.length == 1 && !value.is_a?(Timestamp)
          raise TypeError, "wrong argument type #{value.class} (expected LogStash::Timestamp)"
        end
        check_tags(path, value) if head == 'tags'
        if @data.nil? && @batch
          (@pending ||= []) << [path, value]
        else
          set_path(@data, path, 0, value)
        end
      end
      @ops << ['s', ref.to_s, value] if @ops
      value
    end
    alias []= set

    def remove(ref)
      path = FieldReference.parse(ref)
      @ops << ['r', ref.to_s] if @ops
      if path.length == 1 && path[0] == METADATA
        old = meta!
        @meta = {}
        return old
      end
      parent = path.length == 1 ? data! : raw_get(path[0...-1])
      last = path[-1]
      if parent.is_a?(::Array)
        idx = list_index(last, parent.length)
        idx.nil? ? nil : parent.delete_at(idx)
      elsif parent.is_a?(::Hash)
        parent.delete(last)
      end
    end

    def tag(name)
      name = name.to_s
      tags = data!['tags']
      if tags.nil?
        data!['tags'] = [name]
      elsif tags.is_a?(::Array)
        tags << name unless tags.include?(name)
      elsif tags != name
        data!['tags'] = [tags, name]
      end
      @ops << ['t', name] if @ops
      nil
    end

    def cancel
      @cancelled = true
    end

    def uncancel
      @cancelled = false
    end

    def cancelled?
      @cancelled
    end

    def clone
      copy = Event.allocate
      copy.__init_copy(Valuefier.deep_copy(data!), Valuefier.deep_copy(meta!))
      copy
    end
    alias dup clone

    def __init_copy(data, meta)
      @data = data
      @meta = meta
      @cancelled = false
      @ops = nil
    end

    def timestamp
      data![TIMESTAMP]
    end

    def timestamp=(value)
      set(TIMESTAMP, value)
    end

    def to_hash
      Valuefier.deep_copy(data!)
    end
    alias to_h to_hash

    def to_hash_with_metadata
      hash = to_hash
      hash[METADATA] = Valuefier.deep_copy(meta!) unless meta!.empty?
      hash
    end

    def to_json(*args)
      JSON.generate(data!, *args)
    end

    def to_s
      ts = data![TIMESTAMP]
      host = data!['host']
      message = data!['message']
      "#{ts.nil? ? '%{@timestamp}' : ts} #{host.nil? ? '%{host}' : host} #{message.nil? ? '%{message}' : message}"
    end

    def inspect
      "#<LogStash::Event #{to_hash_with_metadata.inspect}>"
    end

    # Logstash's Event#append: the other event's fields merged into this one (Util.mergeFields).
    def append(other)
      other.to_hash.each do |key, value|
        next if key == TIMESTAMP || key == '@version'
        merged = merge_value(data!.key?(key) ? data![key] : nil, data!.key?(key), value)
        set("[#{key}]", merged)
      end
      self
    end

    # Logstash's sprintf: %{field} (arrays joined with ",", hashes as JSON, absent left as is),
    # %{+%s} epoch seconds and %{+FORMAT} Joda-style dates of @timestamp in UTC.
    def sprintf(format)
      format = format.to_s
      return format unless format.include?('%{')
      format.gsub(/%\{([^}]+)\}/) do
        key = Regexp.last_match(1)
        if key.start_with?('+')
          format_time(key[1..])
        else
          value = get(key)
          value.nil? ? "%{#{key}}" : Stringify.value(value)
        end
      end
    end

    def ==(other)
      other.is_a?(Event) && equal?(other)
    end

    private

    def root_of(path)
      path[0] == METADATA ? [meta!, 1] : [data!, 0]
    end

    def raw_get(path)
      cur, i = root_of(path)
      while i < path.length
        key = path[i]
        if cur.is_a?(::Hash) then cur = cur[key]
        elsif cur.is_a?(::Array)
          idx = list_index(key, cur.length)
          cur = idx.nil? ? nil : cur[idx]
        else return nil
        end
        i += 1
      end
      cur
    end

    def list_index(key, length)
      return nil unless INTEGER_KEY.match?(key)
      idx = key.to_i
      idx += length if idx.negative?
      idx >= 0 && idx < length ? idx : nil
    end

    def set_path(root, path, from, value)
      cur = root
      i = from
      while i < path.length
        key = path[i]
        last = i == path.length - 1
        if cur.is_a?(::Array)
          raise type_conflict(key, cur, value) unless INTEGER_KEY.match?(key)
          idx = key.to_i
          idx += cur.length if idx.negative?
          raise type_conflict(key, cur, value) if idx.negative?
          cur << nil while cur.length < idx
          if last
            cur[idx] = value
            return
          end
          cur = descend(cur, idx, path[i + 1], value)
        else
          if last
            cur[key] = value
            return
          end
          cur = descend(cur, key, path[i + 1], value)
        end
        i += 1
      end
    end

    def descend(container, key, next_key, value)
      nxt = container[key]
      if nxt.nil?
        created = {}
        container[key] = created
        return created
      end
      return nxt if nxt.is_a?(::Array) || nxt.is_a?(::Hash)
      raise type_conflict(next_key, nxt, value)
    end

    def type_conflict(key, on, value)
      RuntimeError.new("Could not set field '#{key}' on object '#{Stringify.value(on)}' to value '#{Stringify.value(value)}'." \
                       'This is probably due to trying to set a field like [foo][bar] = someValue' \
                       'when [foo] is not either a map or a string')
    end

    def check_tags(path, value)
      ok = if path.length == 1
             value.is_a?(::String) || (value.is_a?(::Array) && value.all? { |v| v.is_a?(::String) })
           else
             path.length == 2 && INTEGER_KEY.match?(path[1]) && value.is_a?(::String)
           end
      return if ok
      raise RuntimeError, "Could not set the reserved tags field '#{path.map { |p| "[#{p}]" }.join}' to value '#{Stringify.value(value)}'. " \
                          'The tags field only accepts string or array of string.'
    end

    def merge_value(existing, present, added)
      return added unless present
      if existing.is_a?(::Hash) && added.is_a?(::Hash)
        out = existing.dup
        added.each { |k, v| out[k] = merge_value(out[k], out.key?(k), v) }
        return out
      end
      list = existing.is_a?(::Array) ? existing.dup : [existing]
      (added.is_a?(::Array) ? added : [added]).each { |v| list << v unless list.include?(v) }
      list.length == 1 && !existing.is_a?(::Array) ? list[0] : list
    end

    JODA = {
      'yyyy' => '%Y', 'YYYY' => '%Y', 'yy' => '%y', 'MMMM' => '%B', 'MMM' => '%b', 'MM' => '%m',
      'dd' => '%d', 'HH' => '%H', 'hh' => '%I', 'mm' => '%M', 'ss' => '%S', 'SSS' => '%L',
      'EEEE' => '%A', 'EEE' => '%a', 'a' => '%p', 'Z' => '%z', 'ZZ' => '%:z', 'D' => '%-j', 'd' => '%-d',
      'M' => '%-m', 'H' => '%-H', 'm' => '%-M', 's' => '%-S', 'w' => '%-V', 'ww' => '%V', 'xxxx' => '%G'
    }.freeze

    def format_time(pattern)
      ts = data![TIMESTAMP]
      return "%{+#{pattern}}" unless ts.is_a?(Timestamp)
      return ts.to_i.to_s if pattern == '%s'
      time = ts.time
      pattern.gsub(/'([^']*)'|([a-zA-Z])\2*/) do
        if Regexp.last_match(1) then Regexp.last_match(1)
        else
          letters = Regexp.last_match(0)
          strf = JODA[letters]
          strf ? time.strftime(strf) : letters
        end
      end
    end
  end

  module Filters
    # One ruby filter instance, as Logstash's LogStash::Filters::Ruby: init and code are evaluated
    # in its binding (so @vars are per instance and @@vars shared by all ruby filters).
    class Ruby
      attr_reader :logger

      def initialize(id)
        @logger = Logger.new(id)
      end

      def __register_inline(init, code)
        eval(init, binding, '(ruby filter init)') if init
        # A def, not Logstash's define_singleton_method block: calling a block-defined method re-enters
        # the VM through a setjmp, which WebAssembly makes slow. Line 1 of the code is line 1 here.
        eval("def self.filter_method(event, &new_event_block) #{code}\nend", binding, '(ruby filter code)')
        @collector = ->(e) { (@added ||= []) << e }
        nil
      end

      def __register_script(path, content, params)
        @script = Script.new(path, content, params, @logger)
        @script.load
        @script.test
        @script.register
        nil
      end

      def __script_tests(path, content)
        script = Script.new(path, content, {}, @logger)
        script.load
        script.test_report
      end

      # One worker batch: for each event, [ops, cancelled, new events, error, returned original].
      # An exit! leaves the event that called it with an error row; the batch goes on from the next.
      def __run(events)
        rows = []
        while rows.length < events.length
          exited = catch(Flowstash::HARD_EXIT) { run_from(events, rows) }
          next unless exited

          event = events[rows.length]
          rows << [event.__ops, event.cancelled?, @added&.map(&:__to_wire), Flowstash.hard_exit_error(*exited), true]
        end
        rows
      end

      private

      # (while loops: a block called from a C iterator costs a setjmp, slow in WebAssembly)
      def run_from(events, rows)
        i = rows.length
        n = events.length
        if @script
          while i < n
            rows << run_script(events[i])
            i += 1
          end
        else
          while i < n
            rows << run_inline(events[i])
            i += 1
          end
        end
        nil
      end

      def run_inline(event)
        @added = nil
        error = nil
        begin
          filter_method(event, &@collector)
        rescue Exception => e # rubocop:disable Lint/RescueException -- Logstash rescues Exception here
          error = error_of(e)
        end
        [event.__ops, event.cancelled?, @added&.map(&:__to_wire), error, true]
      end

      def run_script(event)
        results = @script.execute(event)
        check_result_events!(results)
        returned = false
        added = []
        results.each do |r|
          if r.equal?(event) then returned = true
          else added << r.__to_wire
          end
        end
        [event.__ops, event.cancelled?, added, nil, returned]
      rescue StandardError => e
        [event.__ops, event.cancelled?, nil, error_of(e), true]
      end

      def check_result_events!(results)
        raise "Custom script did not return an array from 'filter'. Only arrays may be returned!" unless results.is_a?(::Array)
        results.each do |r|
          next if r.is_a?(Event)
          raise "Custom script returned a non event object '#{r.inspect}'! You must an array of events from this function! To drop an event simply return nil."
        end
      end

      def error_of(e)
        [e.class.name, e.message, (e.backtrace || []).first(5)]
      end
    end

    # A script file (path): register(params), filter(event) and its test blocks.
    class Script
      attr_reader :path

      def initialize(path, content, params, logger)
        @path = path
        @content = content
        @params = params
        @logger = logger
        @tests = []
      end

      def load
        @context = make_context('main', false)
        unless @context.respond_to?(:filter)
          raise 'Script does not define a filter! Please ensure that you have defined a filter method!'
        end
      rescue StandardError, ScriptError => e
        raise ScriptLoadError, "Error during load of '#{@path}': #{e.inspect}"
      end

      def register
        return unless @context.respond_to?(:register)
        @context.register(@params)
      rescue StandardError => e
        raise ScriptLoadError, "Error during register of '#{@path}': #{e.inspect}"
      end

      def execute(event)
        @context.filter(event)
      end

      def add_test(name, &block)
        t = TestContext.new(self, name)
        t.instance_eval(&block)
        @tests << t
      end

      def make_context(name, test_mode)
        ctx = ExecutionContext.new(name, @logger)
        script = self
        if test_mode
          ctx.define_singleton_method(:test) { |*_args, &_block| nil }
        else
          ctx.define_singleton_method(:test) { |test_name, &block| script.add_test(test_name, &block) }
        end
        ctx.instance_eval(@content, @path, 1)
        ctx
      end

      # Runs the test blocks: [[test, expectation, outcome, detail]...] and the totals.
      def test_report
        rows = []
        totals = { 'passed' => 0, 'failed' => 0, 'errored' => 0 }
        @tests.each do |t|
          t.execute.each do |row|
            rows << row
            totals[row[2]] += 1
          end
        end
        [rows, totals]
      end

      def test
        rows, totals = test_report
        rows.each do |name, expectation, outcome, detail|
          next if outcome == 'passed'
          @logger.error("***TEST FAILURE FOR: '#{name}' expected '#{expectation}'***#{detail ? " #{detail}" : ''}", { 'script_path' => @path })
        end
        @logger.info('Test run complete', { 'script_path' => @path, 'results' => totals })
        failing = totals['failed'] + totals['errored']
        raise ScriptLoadError, "Script '#{@path}' had #{failing} failing tests! Check the error log for details." if failing.positive?
      end
    end

    class ScriptLoadError < StandardError; end

    class ExecutionContext
      attr_reader :logger

      def initialize(name, logger)
        @name = name
        @logger = logger
      end
    end

    class TestContext
      attr_reader :name

      def initialize(script, name)
        @script = script
        @name = name
        @parameters = {}
        @in_events = nil
        @expects = []
      end

      def parameters(&block)
        return @parameters unless block
        @parameters = block.call
      end

      def in_event(&block)
        return @in_events unless block
        orig = block.call
        hashes = orig.is_a?(::Hash) ? [orig] : Array(orig)
        hashes.each do |h|
          next if h.is_a?(::Hash)
          raise ArgumentError, "In event for #{@name} must receive either a hash or an array of hashes! got a '#{h.class}' in #{hashes.inspect}"
        end
        @in_events = hashes.map { |h| Event.new(h) }
      end
      alias in_events in_event

      def expect(name, &block)
        @expects << [name, block]
      end

      def execute
        ctx = @script.make_context("Test/#{@name}", true)
        ctx.register(@parameters) if ctx.respond_to?(:register)
        results = (@in_events || []).flat_map { |e| ctx.filter(e) }
        @expects.map do |expectation, block|
          begin
            block.call(results) ? [@name, expectation, 'passed', nil] : [@name, expectation, 'failed', "events: #{results.map { |e| e.respond_to?(:to_hash_with_metadata) ? e.to_hash_with_metadata : e }.inspect}"]
          rescue StandardError => e
            [@name, expectation, 'errored', "#{e.class}: #{e.message}"]
          end
        end
      rescue StandardError => e
        [[@name, '(test setup)', 'errored', "#{e.class}: #{e.message}"]]
      end
    end
  end
end

# The bridge the TypeScript side calls: one JSON text in, one JSON text out.
module LogStash
  module Flowstash
    class << self
      def create_filter(id)
        @filters[id] = Filters::Ruby.new(id)
        JSON.generate({ 'ok' => nil, 'log' => drain_log })
      end

      def remove_filter(id)
        @filters.delete(id)
        JSON.generate({ 'ok' => nil, 'log' => drain_log })
      end

      # Runs a call on a filter; the reply is {"ok": result, "log": [...]} or {"error": [class, message, backtrace], "log": [...]}.
      def call(id, method, json_args)
        args = JSON.parse(json_args.to_s)
        method = method.to_s
        result = nil
        exited = catch(HARD_EXIT) do
          result = @filters.fetch(id).public_send(method, *args)
          nil
        end
        return JSON.generate({ 'error' => hard_exit_error(*exited), 'log' => drain_log }) if exited

        JSON.generate({ 'ok' => result, 'log' => drain_log })
      rescue Exception => e # rubocop:disable Lint/RescueException -- everything must come back as a reply
        JSON.generate({ 'error' => [e.class.name, e.message, (e.backtrace || []).first(5)], 'log' => drain_log })
      end

      # A worker batch → one result row per event.
      # A batch arrives as "flags\x01[data…]\x01[metadata…]" (flags: 1 per event with nested
      # Timestamps; JSON text never holds a raw \x01). Each array is parsed, in one call, when the
      # code first reads a field of that kind: a C-level call costs more in WebAssembly than its bytes.
      def run(id, text)
        filter = @filters.fetch(id)
        flags, data, meta = text.to_s.split("\x01", 3)
        batch = WireBatch.new(data, meta)
        events = []
        i = 0
        n = flags.length
        while i < n
          events << Event.__from_wire(batch, i, flags.getbyte(i) == 49)
          i += 1
        end
        # A collection in this WebAssembly build costs milliseconds whatever its size (it scans the
        # whole stack): it is held off while a batch runs, so there is one where there were dozens.
        GC.disable
        rows = filter.__run(events)
        GC.enable
        Wire.generate({ 'ok' => rows, 'log' => drain_log })
      rescue Exception => e # rubocop:disable Lint/RescueException
        GC.enable
        JSON.generate({ 'error' => [e.class.name, e.message, (e.backtrace || []).first(5)], 'log' => drain_log })
      end
    end
  end
end

# exit! ends the interpreter at once: in WebAssembly that unwinds it in the middle of a call from
# JavaScript (a crash report on stderr, a VM that fails every later call, a segfault in a worker
# thread). Here it leaves the filter code through a throw no rescue catches, as JRuby's hard exit
# passes its rescues, and the event it ran for is reported as failed.
module LogStash
  module Flowstash
    HARD_EXIT = Object.new.freeze

    def self.exit_status(status)
      case status
      when true then 0
      when false then 1
      else Integer(status)
      end
    end

    # The backtrace starts at exit! (a prelude frame, which the filter's report skips).
    def self.hard_exit(status)
      throw HARD_EXIT, [exit_status(status), caller]
    end

    def self.hard_exit_error(status, backtrace)
      ['SystemExit', "exit! called (status #{status}): Logstash's process would end here; flowstash fails the event instead", backtrace.first(5)]
    end
  end
end

module Kernel
  private def exit!(status = false) = LogStash::Flowstash.hard_exit(status)
  def self.exit!(status = false) = LogStash::Flowstash.hard_exit(status)
end

module Process
  def self.exit!(status = false) = LogStash::Flowstash.hard_exit(status)
end

# Socket is not in the WebAssembly build (no network there); Socket.gethostname is what pipelines use.
unless defined?(::Socket)
  class ::Socket
    def self.gethostname
      LogStash::Flowstash.hostname
    end
  end
  module Kernel
    alias __flowstash_require require
    def require(name)
      return false if name.to_s == 'socket'
      __flowstash_require(name)
    end
    private :require
  end
end

# CSV's parser is slow in this WebAssembly build (its non-local exits cost ~1 ms each there): a line
# with no quote and no line break parses as CSV would parse it (split on ",", empty fields nil);
# anything else goes to the real CSV.
module LogStash
  module FastCSV
    def self.parse_line(line)
      return nil if line.empty?
      line.split(',', -1).map! { |f| f.empty? ? nil : f }
    end

    def self.simple?(line, options)
      options.empty? && !line.include?('"') && !line.include?("\n") && !line.include?("\r")
    end
  end
end

module CSVFastPath
  def parse_line(line, **options)
    return LogStash::FastCSV.parse_line(line) if line.is_a?(::String) && LogStash::FastCSV.simple?(line, options)
    super
  end
end

module StringParseCSVFastPath
  def parse_csv(**options)
    return LogStash::FastCSV.parse_line(self) if LogStash::FastCSV.simple?(self, options)
    super
  end
end

module Kernel
  alias __flowstash_require_csv require
  def require(name)
    loaded = __flowstash_require_csv(name)
    if name.to_s == 'csv' && defined?(::CSV) && !::CSV.singleton_class.include?(CSVFastPath)
      ::CSV.singleton_class.prepend(CSVFastPath)
      ::String.prepend(StringParseCSVFastPath)
    end
    loaded
  end
  private :require
end
`;
