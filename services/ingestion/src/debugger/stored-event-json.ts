/**
 * An accepted event in the debugger, kept as the JSON it was stored in Kafka with: that text is
 * built for Kafka anyway and is a fraction of the parsed event's size, so neither a request
 * waiting for Kafka nor the debugger's buffer holds the parsed calls. It reads as the event
 * itself wherever an entry is serialised (the debugger's answers, the workers' channel), and is
 * parsed only then.
 */
export class StoredEventJson {
  private readonly json: string;

  constructor(json: string | Buffer) {
    this.json = typeof json === 'string' ? json : json.toString('utf8');
  }

  toJSON(): unknown {
    return JSON.parse(this.json) as unknown;
  }
}
