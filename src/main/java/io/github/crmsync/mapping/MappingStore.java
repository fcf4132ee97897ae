package io.github.crmsync.mapping;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The operator's attribute mappings, in PostgreSQL. */
public final class MappingStore {

    private final DataSource dataSource;
    private volatile Consumer<AttributeMapping> saved = mapping -> { };

    public MappingStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Told of every mapping saved (created or changed), before the save returns (e.g. to start event sync for it). */
    public void whenSaved(Consumer<AttributeMapping> listener) {
        this.saved = listener;
    }

    public MappingSet current() {
        List<AttributeMapping> mappings = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, object_type, intercom_attribute, salesforce_field, direction "
                     + "FROM attribute_mapping ORDER BY object_type, id")) {
            while (rs.next()) {
                mappings.add(new AttributeMapping(rs.getLong(1), ObjectType.valueOf(rs.getString(2)), rs.getString(3),
                        rs.getString(4), Direction.valueOf(rs.getString(5))));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the mappings failed: " + e.getMessage(), e);
        }
        return MappingSet.of(mappings);
    }

    public AttributeMapping create(AttributeMapping mapping) {
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO attribute_mapping (object_type, intercom_attribute, salesforce_field, direction) VALUES (?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            bind(insert, mapping);
            insert.executeUpdate();
            AttributeMapping created;
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                created = mapping.withId(keys.getLong(1));
            }
            saved.accept(created);
            return created;
        } catch (SQLException e) {
            throw new IllegalStateException("Saving the mapping failed: " + e.getMessage(), e);
        }
    }

    /** Replaces a mapping; false when there is none with that id. */
    public boolean update(long id, AttributeMapping mapping) {
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(
                "UPDATE attribute_mapping SET object_type = ?, intercom_attribute = ?, salesforce_field = ?, direction = ?, "
                        + "updated_at = now() WHERE id = ?")) {
            bind(update, mapping);
            update.setLong(5, id);
            if (update.executeUpdate() != 1) {
                return false;
            }
            saved.accept(mapping.withId(id));
            return true;
        } catch (SQLException e) {
            throw new IllegalStateException("Saving the mapping failed: " + e.getMessage(), e);
        }
    }

    public boolean delete(long id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement delete = c.prepareStatement("DELETE FROM attribute_mapping WHERE id = ?")) {
            delete.setLong(1, id);
            return delete.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("Deleting the mapping failed: " + e.getMessage(), e);
        }
    }

    /** Stores {@code defaults} when no mapping exists yet (the sandbox's out-of-the-box set); true if it did. */
    public boolean seedIfEmpty(MappingSet defaults) {
        if (!current().isEmpty()) {
            return false;
        }
        defaults.all().forEach(this::create);
        return true;
    }

    private static void bind(PreparedStatement statement, AttributeMapping mapping) throws SQLException {
        statement.setString(1, mapping.objectType().name());
        statement.setString(2, mapping.intercomAttribute());
        statement.setString(3, mapping.salesforceField());
        statement.setString(4, mapping.direction().name());
    }
}
