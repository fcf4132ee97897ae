package io.github.crmsync.sandbox.salesforce;

import io.github.apexdevtools.apexparser.ApexLexer;
import io.github.apexdevtools.apexparser.ApexParser;
import io.github.apexdevtools.apexparser.CaseInsensitiveInputStream;
import io.github.crmsync.sandbox.salesforce.SObjectSchema.Field;
import io.github.crmsync.sandbox.salesforce.SObjectSchema.Kind;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses the SOQL subset the simulator answers (with the Apex grammar of apex-parser) into a
 * {@link Query} whose fields are resolved against the object's schema, raising the errors a real
 * org raises: MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE, each with the query line, a caret
 * and {@code ERROR at Row:R:Column:C}.
 */
final class Soql {

    private Soql() {
    }

    /** A value source for one record while a condition is evaluated. */
    interface Row {
        Object get(Field field);
    }

    /** A WHERE condition. */
    interface Cond {
        boolean test(Row row);
    }

    record And(List<Cond> parts) implements Cond {
        public boolean test(Row row) {
            for (Cond c : parts) {
                if (!c.test(row)) {
                    return false;
                }
            }
            return true;
        }
    }

    record Or(List<Cond> parts) implements Cond {
        public boolean test(Row row) {
            for (Cond c : parts) {
                if (c.test(row)) {
                    return true;
                }
            }
            return false;
        }
    }

    record Not(Cond inner) implements Cond {
        public boolean test(Row row) {
            return !inner.test(row);
        }
    }

    enum Op { EQ, NE, LT, GT, LE, GE, IN, NOT_IN, LIKE }

    /** field op literal(s); values are already converted to the field's Java type. */
    record Compare(Field field, Op op, List<Object> values, Pattern like) implements Cond {
        public boolean test(Row row) {
            Object v = row.get(field);
            switch (op) {
                case EQ:
                    return equal(v, values.get(0));
                case NE:
                    return !equal(v, values.get(0));
                case IN:
                    for (Object o : values) {
                        if (v != null && equal(v, o)) {
                            return true;
                        }
                    }
                    return false;
                case NOT_IN:
                    for (Object o : values) {
                        if (equal(v, o)) {
                            return false;
                        }
                    }
                    return true;
                case LIKE:
                    return v != null && like.matcher(v.toString()).matches();
                default:
                    Object lit = values.get(0);
                    if (v == null || lit == null) {
                        return false;
                    }
                    if (lit instanceof DateRange range) {
                        int p = range.position(v);
                        return switch (op) {
                            case LT -> p < 0;
                            case GT -> p > 0;
                            case LE -> p <= 0;
                            default -> p >= 0;
                        };
                    }
                    int c = compare(field, v, lit);
                    return switch (op) {
                        case LT -> c < 0;
                        case GT -> c > 0;
                        case LE -> c <= 0;
                        default -> c >= 0;
                    };
            }
        }

        private boolean equal(Object v, Object lit) {
            if (v == null || lit == null) {
                return v == null && lit == null;
            }
            if (lit instanceof DateRange range) {
                return range.position(v) == 0;
            }
            return compare(field, v, lit) == 0;
        }
    }

    /** A relative date literal (TODAY, LAST_N_DAYS:n, ...): the days [start, end) in the org's time zone (UTC). */
    record DateRange(LocalDate start, LocalDate end) {
        int position(Object v) {
            LocalDate day = v instanceof Instant i ? i.atZone(java.time.ZoneOffset.UTC).toLocalDate() : (LocalDate) v;
            return day.isBefore(start) ? -1 : day.isBefore(end) ? 0 : 1;
        }
    }

    record Order(Field field, boolean descending, boolean nullsLast) {
    }

    /** A parsed query; {@code limit} is -1 when absent. */
    record Query(String text, SObjectSchema schema, List<Field> fields, boolean count, Cond where,
                 List<Order> orderBy, int limit, int offset) {
    }

    /** Compares two non-null values of one field as SOQL does (text case-insensitively, ids on 15 chars). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compare(Field field, Object a, Object b) {
        if (field.kind() == Kind.ID) {
            return SalesforceIdsView.to15(a.toString()).compareTo(SalesforceIdsView.to15(b.toString()));
        }
        if (a instanceof String sa && b instanceof String sb) {
            return sa.compareToIgnoreCase(sb);
        }
        return ((Comparable) a).compareTo(b);
    }

    /** Thrown for a query the org would refuse; carries the documented errorCode and message. */
    static final class SoqlException extends RuntimeException {
        final String errorCode;

        SoqlException(String errorCode, String message) {
            super(message, null, false, false);
            this.errorCode = errorCode;
        }
    }

    static Query parse(String soql) {
        if (soql == null || soql.isBlank()) {
            throw new SoqlException("MALFORMED_QUERY", "unexpected token: '<EOF>'");
        }
        ApexLexer lexer = new ApexLexer(new CaseInsensitiveInputStream(CharStreams.fromString(soql)));
        ApexParser parser = new ApexParser(new CommonTokenStream(lexer));
        BaseErrorListener thrower = new BaseErrorListener() {
            @Override
            public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine,
                                    String msg, RecognitionException e) {
                String text = offendingSymbol instanceof Token t ? tokenText(t) : "<EOF>";
                throw located(soql, "MALFORMED_QUERY", line, charPositionInLine, "unexpected token: '" + text + "'");
            }
        };
        lexer.removeErrorListeners();
        lexer.addErrorListener(thrower);
        parser.removeErrorListeners();
        parser.addErrorListener(thrower);
        ApexParser.QueryContext q = parser.query();
        Token next = parser.getCurrentToken();
        if (next.getType() != Token.EOF) {
            throw located(soql, "MALFORMED_QUERY", next.getLine(), next.getCharPositionInLine(),
                    "unexpected token: '" + tokenText(next) + "'");
        }
        return new Builder(soql).build(q);
    }

    private static String tokenText(Token t) {
        return t.getType() == Token.EOF ? "<EOF>" : t.getText();
    }

    static SoqlException located(String soql, String code, int line, int column, String message) {
        String[] lines = soql.split("\n", -1);
        String text = line >= 1 && line <= lines.length ? lines[line - 1] : soql;
        return new SoqlException(code, "\n" + text + "\n" + " ".repeat(Math.max(0, column)) + "^\nERROR at Row:" + line
                + ":Column:" + (column + 1) + "\n" + message);
    }

    private static final class Builder {
        private final String soql;
        private SObjectSchema schema;

        Builder(String soql) {
            this.soql = soql;
        }

        private SoqlException error(String code, Token at, String message) {
            return located(soql, code, at.getLine(), at.getCharPositionInLine(), message);
        }

        private SoqlException unsupported(org.antlr.v4.runtime.ParserRuleContext ctx) {
            Token t = ctx.getStart();
            return error("MALFORMED_QUERY", t, "unexpected token: '" + tokenText(t) + "'");
        }

        Query build(ApexParser.QueryContext q) {
            // FROM first: fields are resolved against the object.
            ApexParser.FromNameListContext from = q.fromNameList();
            if (from.fieldName().size() != 1 || from.fieldName(0).soqlId().size() != 1 || !from.soqlId().isEmpty()) {
                throw unsupported(from);
            }
            Token objectToken = from.fieldName(0).getStart();
            schema = SObjectSchema.forName(objectToken.getText());
            if (schema == null) {
                throw error("INVALID_TYPE", objectToken, "sObject type '" + objectToken.getText() + "' is not supported. "
                        + "If you are attempting to use a custom object, be sure to append the '__c' after the entity name. "
                        + "Please reference your WSDL or the describe call for the appropriate names.");
            }
            if (q.forClauses() != null && q.forClauses().getChildCount() > 0) {
                throw unsupported(q.forClauses());
            }
            for (var other : new org.antlr.v4.runtime.ParserRuleContext[] {q.usingScope(), q.withClause(),
                q.groupByClause(), q.allRowsClause(), q.updateList()}) {
                if (other != null && other.getChildCount() > 0) {
                    throw unsupported(other);
                }
            }
            List<Field> fields = new ArrayList<>();
            boolean count = false;
            List<ApexParser.SelectEntryContext> entries = q.selectList().selectEntry();
            for (ApexParser.SelectEntryContext e : entries) {
                if (e.soqlFunction() != null) {
                    ApexParser.SoqlFunctionContext fn = e.soqlFunction();
                    if (fn.COUNT() != null && fn.fieldName() == null && e.soqlId() == null) {
                        if (entries.size() != 1) {
                            throw error("MALFORMED_QUERY", fn.getStart(),
                                    "COUNT() and COUNT(fieldName) are not supported together with other fields");
                        }
                        count = true;
                        continue;
                    }
                    throw unsupported(fn);
                }
                if (e.fieldName() == null || e.soqlId() != null) {
                    throw unsupported(e);
                }
                Field f = field(e.fieldName());
                if (fields.contains(f)) {
                    // as the SOQL guide shows it: 400 INVALID_FIELD, no query/caret prefix
                    throw new SoqlException("INVALID_FIELD", "duplicate field selected: " + e.fieldName().getText());
                }
                fields.add(f);
            }
            Cond where = q.whereClause() == null ? null : logical(q.whereClause().logicalExpression());
            List<Order> orderBy = new ArrayList<>();
            if (q.orderByClause() != null) {
                if (count) {
                    throw error("MALFORMED_QUERY", q.orderByClause().getStart(),
                            "Ordered field cannot be aggregated in a query that is not grouped: COUNT()");
                }
                for (ApexParser.FieldOrderContext o : q.orderByClause().fieldOrderList().fieldOrder()) {
                    if (o.fieldName() == null) {
                        throw unsupported(o);
                    }
                    Field f = field(o.fieldName());
                    if (f.type().equals("textarea")) {
                        throw error("INVALID_FIELD", o.getStart(), "field '" + f.name()
                                + "' can not be sorted in a query call");
                    }
                    boolean desc = o.DESC() != null;
                    boolean nullsLast = o.NULLS() != null ? o.LAST() != null : desc;
                    orderBy.add(new Order(f, desc, nullsLast));
                }
            }
            int limit = -1;
            if (q.limitClause() != null) {
                TerminalNode n = q.limitClause().IntegerLiteral();
                if (n == null) {
                    throw unsupported(q.limitClause());
                }
                limit = Integer.parseInt(n.getText());
            }
            int offset = 0;
            if (q.offsetClause() != null) {
                TerminalNode n = q.offsetClause().IntegerLiteral();
                if (n == null) {
                    throw unsupported(q.offsetClause());
                }
                offset = Integer.parseInt(n.getText());
                if (offset > 2000) {
                    throw error("NUMBER_OUTSIDE_VALID_RANGE", n.getSymbol(), "Maximum SOQL offset allowed is 2000");
                }
            }
            return new Query(soql, schema, List.copyOf(fields), count, where, List.copyOf(orderBy), limit, offset);
        }

        private Field field(ApexParser.FieldNameContext name) {
            Token t = name.getStart();
            if (name.soqlId().size() != 1) {
                throw error("INVALID_FIELD", t, "Didn't understand relationship '" + name.soqlId(0).getText()
                        + "' in field path. If you are attempting to use a custom relationship, be sure to append the "
                        + "'__r' after the custom relationship name. Please reference your WSDL or the describe call "
                        + "for the appropriate names.");
            }
            Field f = schema.field(name.getText());
            if (f == null) {
                throw error("INVALID_FIELD", t, "No such column '" + name.getText() + "' on entity '" + schema.name
                        + "'. If you are attempting to use a custom field, be sure to append the '__c' after the custom "
                        + "field name. Please reference your WSDL or the describe call for the appropriate names.");
            }
            return f;
        }

        private Cond logical(ApexParser.LogicalExpressionContext ctx) {
            if (ctx.NOT() != null) {
                return new Not(conditional(ctx.conditionalExpression(0)));
            }
            List<Cond> parts = new ArrayList<>();
            for (ApexParser.ConditionalExpressionContext c : ctx.conditionalExpression()) {
                parts.add(conditional(c));
            }
            if (parts.size() == 1) {
                return parts.get(0);
            }
            return ctx.SOQLOR().isEmpty() ? new And(parts) : new Or(parts);
        }

        private Cond conditional(ApexParser.ConditionalExpressionContext ctx) {
            if (ctx.logicalExpression() != null) {
                return logical(ctx.logicalExpression());
            }
            ApexParser.FieldExpressionContext fe = ctx.fieldExpression();
            if (fe.fieldName() == null) {
                throw unsupported(fe);
            }
            Field f = field(fe.fieldName());
            ApexParser.ComparisonOperatorContext opc = fe.comparisonOperator();
            Op op = operator(opc);
            if (f.type().equals("textarea")) {
                throw error("INVALID_FIELD", fe.getStart(), "field '" + f.name()
                        + "' can not be filtered in a query call");
            }
            ApexParser.ValueContext value = fe.value();
            List<Object> values = new ArrayList<>();
            if (op == Op.IN || op == Op.NOT_IN) {
                if (value.valueList() == null) {
                    throw unsupported(value);
                }
                for (ApexParser.ValueContext v : value.valueList().value()) {
                    values.add(literal(f, v, op));
                }
            } else {
                if (value.valueList() != null) {
                    throw unsupported(value);
                }
                values.add(literal(f, value, op));
            }
            Pattern like = null;
            if (op == Op.LIKE) {
                if (!f.textual() || values.get(0) == null) {
                    throw error("INVALID_FIELD", fe.getStart(), "invalid operator on " + f.type() + " field: " + f.name());
                }
                like = likePattern(values.get(0).toString());
            } else if (values.get(0) == null && op != Op.EQ && op != Op.NE && op != Op.IN && op != Op.NOT_IN) {
                throw error("MALFORMED_QUERY", value.getStart(), "unexpected token: 'null'");
            } else if ((op == Op.LT || op == Op.GT || op == Op.LE || op == Op.GE) && f.kind() == Kind.BOOLEAN) {
                throw error("INVALID_FIELD", fe.getStart(), "invalid operator on boolean field: " + f.name());
            }
            return new Compare(f, op, values, like);
        }

        private Op operator(ApexParser.ComparisonOperatorContext c) {
            boolean not = c.NOT() != null;
            if (c.IN() != null) {
                return not ? Op.NOT_IN : Op.IN;
            }
            if (c.LIKE() != null && !not) {
                return Op.LIKE;
            }
            if (c.NOTEQUAL() != null || c.LESSANDGREATER() != null) {
                return Op.NE;
            }
            boolean assign = c.ASSIGN() != null;
            if (c.LT() != null) {
                return assign ? Op.LE : Op.LT;
            }
            if (c.GT() != null) {
                return assign ? Op.GE : Op.GT;
            }
            if (assign && c.getChildCount() == 1) {
                return Op.EQ;
            }
            throw unsupported(c);
        }

        private Object literal(Field f, ApexParser.ValueContext v, Op op) {
            Token t = v.getStart();
            if (v.NULL() != null) {
                return null;
            }
            Kind kind = f.kind();
            String typeName = switch (kind) {
                case DATETIME -> "dateTime";
                case BOOLEAN -> "boolean";
                case NUMBER -> "number";
                case DATE -> "date";
                default -> "string";
            };
            String wrongType = "value of filter criterion for field '" + f.name() + "' must be of type " + typeName
                    + (kind == Kind.TEXT || kind == Kind.ID ? " and should be enclosed in quotes"
                    : " and should not be enclosed in quotes");
            switch (kind) {
                case TEXT, ID -> {
                    if (v.StringLiteral() == null) {
                        throw error("INVALID_FIELD", t, wrongType);
                    }
                    String s = unescape(v.StringLiteral().getSymbol(), op == Op.LIKE);
                    if (kind == Kind.ID && op != Op.LIKE && s.length() != 15 && s.length() != 18) {
                        throw error("INVALID_QUERY_FILTER_OPERATOR", t, "invalid ID field: " + s);
                    }
                    return s;
                }
                case BOOLEAN -> {
                    if (v.BooleanLiteral() == null) {
                        throw error("INVALID_FIELD", t, wrongType);
                    }
                    return Boolean.valueOf(v.BooleanLiteral().getText().toLowerCase(Locale.ROOT));
                }
                case NUMBER -> {
                    if (v.signedNumber() != null || v.IntegerLiteral() != null) {
                        try {
                            return new BigDecimal(v.getText());
                        } catch (NumberFormatException e) {
                            throw error("MALFORMED_QUERY", t, "unexpected token: '" + v.getText() + "'");
                        }
                    }
                    throw error("INVALID_FIELD", t, wrongType);
                }
                case DATE -> {
                    if (v.dateFormula() != null) {
                        return dateRange(v.dateFormula());
                    }
                    if (v.DateLiteral() == null) {
                        throw error("INVALID_FIELD", t, wrongType);
                    }
                    try {
                        return LocalDate.parse(v.getText());
                    } catch (DateTimeParseException e) {
                        throw error("INVALID_FIELD", t, "line 1:" + t.getCharPositionInLine() + " no viable alternative at character");
                    }
                }
                default -> {
                    if (v.dateFormula() != null) {
                        return dateRange(v.dateFormula());
                    }
                    if (v.DateTimeLiteral() == null) {
                        throw error("INVALID_FIELD", t, wrongType);
                    }
                    try {
                        return OffsetDateTime.parse(v.getText()).toInstant();
                    } catch (DateTimeParseException e) {
                        throw error("MALFORMED_QUERY", t, "unexpected token: '" + v.getText() + "'");
                    }
                }
            }
        }

        private DateRange dateRange(ApexParser.DateFormulaContext f) {
            LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC);
            int n = f.signedInteger() == null ? 0 : Integer.parseInt(f.signedInteger().getText());
            LocalDate month = today.withDayOfMonth(1);
            LocalDate year = today.withDayOfYear(1);
            if (f.TODAY() != null) {
                return new DateRange(today, today.plusDays(1));
            } else if (f.YESTERDAY() != null) {
                return new DateRange(today.minusDays(1), today);
            } else if (f.TOMORROW() != null) {
                return new DateRange(today.plusDays(1), today.plusDays(2));
            } else if (f.LAST_N_DAYS_N() != null) {
                return new DateRange(today.minusDays(n), today.plusDays(1));
            } else if (f.NEXT_N_DAYS_N() != null) {
                return new DateRange(today.plusDays(1), today.plusDays(1 + n));
            } else if (f.N_DAYS_AGO_N() != null) {
                return new DateRange(today.minusDays(n), today.minusDays(n - 1L));
            } else if (f.LAST_90_DAYS() != null) {
                return new DateRange(today.minusDays(90), today.plusDays(1));
            } else if (f.NEXT_90_DAYS() != null) {
                return new DateRange(today.plusDays(1), today.plusDays(91));
            } else if (f.THIS_MONTH() != null) {
                return new DateRange(month, month.plusMonths(1));
            } else if (f.LAST_MONTH() != null) {
                return new DateRange(month.minusMonths(1), month);
            } else if (f.NEXT_MONTH() != null) {
                return new DateRange(month.plusMonths(1), month.plusMonths(2));
            } else if (f.THIS_YEAR() != null) {
                return new DateRange(year, year.plusYears(1));
            } else if (f.LAST_YEAR() != null) {
                return new DateRange(year.minusYears(1), year);
            } else if (f.NEXT_YEAR() != null) {
                return new DateRange(year.plusYears(1), year.plusYears(2));
            }
            throw unsupported(f);
        }

        /** SOQL string escapes: \n \r \t \b \f \" \' \\ \\uXXXX; \% and \_ stay escaped for LIKE. */
        private String unescape(Token t, boolean forLike) {
            String raw = t.getText();
            String body = raw.substring(1, raw.length() - 1);
            StringBuilder out = new StringBuilder(body.length());
            for (int i = 0; i < body.length(); i++) {
                char c = body.charAt(i);
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (i + 1 >= body.length()) {
                    throw error("MALFORMED_QUERY", t, "Invalid string literal '" + raw + "'. Illegal character sequence '\\'");
                }
                char e = body.charAt(++i);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case '"', '\'', '\\' -> {
                        if (forLike && e == '\\') {
                            out.append("\\\\");
                        } else {
                            out.append(e);
                        }
                    }
                    case '%', '_' -> {
                        if (!forLike) {
                            throw error("MALFORMED_QUERY", t, "Invalid string literal '" + raw
                                    + "'. Illegal character sequence '\\" + e + "' in string literal.");
                        }
                        out.append('\\').append(e);
                    }
                    case 'u' -> {
                        if (i + 4 >= body.length()) {
                            throw error("MALFORMED_QUERY", t, "Invalid string literal '" + raw + "'. Illegal character sequence '\\u'");
                        }
                        try {
                            out.append((char) Integer.parseInt(body.substring(i + 1, i + 5), 16));
                        } catch (RuntimeException ex) {
                            throw error("MALFORMED_QUERY", t, "Invalid string literal '" + raw + "'. Illegal character sequence '\\u'");
                        }
                        i += 4;
                    }
                    default -> throw error("MALFORMED_QUERY", t, "Invalid string literal '" + raw
                            + "'. Illegal character sequence '\\" + e + "' in string literal.");
                }
            }
            return out.toString();
        }
    }

    /** LIKE: % any run, _ one character, \% and \_ literal; case-insensitive. */
    static Pattern likePattern(String like) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < like.length(); i++) {
            char c = like.charAt(i);
            if (c == '\\' && i + 1 < like.length()) {
                re.append(Pattern.quote(String.valueOf(like.charAt(++i))));
            } else if (c == '%') {
                re.append(".*");
            } else if (c == '_') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }

    /** Datetime as Salesforce writes it in JSON: milliseconds, UTC, offset without colon. */
    static String formatDateTime(Instant instant) {
        return DATETIME_JSON.format(instant);
    }

    private static final java.time.format.DateTimeFormatter DATETIME_JSON =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'+0000'").withZone(java.time.ZoneOffset.UTC);

    /** Id helpers without depending on the seed format. */
    static final class SalesforceIdsView {
        private SalesforceIdsView() {
        }

        static String to15(String id) {
            return id.length() == 18 ? id.substring(0, 15) : id;
        }
    }
}
