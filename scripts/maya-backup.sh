#!/bin/bash
# The product description's "Automated Backup Script", as written there, except
# that BACKUP_DIR, DATA_DIR and RETENTION_DAYS may come from the environment and
# the alert is sent only when SLACK_WEBHOOK_URL is set. Run it from cron:
#   0 3 * * *  DATA_DIR=/var/lib/maya/data /usr/local/bin/maya-backup.sh
# Exit status: 0 when the backup was written and verified, 1 otherwise.

# Configuration
BACKUP_DIR="${BACKUP_DIR:-/var/backups/maya}"
DATA_DIR="${DATA_DIR:-/var/lib/maya/data}"
RETENTION_DAYS="${RETENTION_DAYS:-7}"

# Create backup directory if it doesn't exist
mkdir -p "$BACKUP_DIR"

# Create timestamp
TIMESTAMP=$(date +%Y%m%d_%H%M%S)
BACKUP_PATH="$BACKUP_DIR/backup_$TIMESTAMP"

# Create backup
maya-cli backup create --path "$BACKUP_PATH" --data-dir "$DATA_DIR"

# Compress backup
tar -czf "$BACKUP_PATH.tar.gz" -C "$BACKUP_PATH" .
rm -rf "$BACKUP_PATH"

# Clean up old backups
find "$BACKUP_DIR" -name "backup_*.tar.gz" -type f -mtime +$RETENTION_DAYS -delete

# Verify backup
if maya-cli backup verify "$BACKUP_PATH.tar.gz"; then
    echo "Backup successful: $BACKUP_PATH.tar.gz"
    exit 0
else
    echo "Backup verification failed" >&2
    # Alert monitoring system
    if [ -n "${SLACK_WEBHOOK_URL:-}" ]; then
        curl -X POST -H 'Content-type: application/json' \
             --data '{"text":"Backup verification failed: $BACKUP_PATH"}' \
             "$SLACK_WEBHOOK_URL"
    fi
    exit 1
fi
