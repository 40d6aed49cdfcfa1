"""Trainers written the way the course's starter code has them: a BaseTrainer subclass that
defines only train_step and validation_step, the latter with plain forward passes over the
whole sets (one for the loss, one inside each calculate_accuracy), in the data's own dtype.
The tests train them with the project's BaseTrainer and compare against the project's own
trainers."""
from task2 import calculate_accuracy as binary_accuracy
from task2a import cross_entropy_loss as binary_loss
from task3 import calculate_accuracy as softmax_accuracy
from task3a import cross_entropy_loss as softmax_loss
from trainer import BaseTrainer


class ScaffoldLogisticTrainer(BaseTrainer):

    def train_step(self, X_batch, Y_batch):
        outputs = self.model.forward(X_batch)
        self.model.backward(X_batch, outputs, Y_batch)
        self.model.w = self.model.w - self.learning_rate * self.model.grad
        return binary_loss(Y_batch, outputs)

    def validation_step(self):
        loss = binary_loss(self.Y_val, self.model.forward(self.X_val))
        accuracy_train = binary_accuracy(self.X_train, self.Y_train, self.model)
        accuracy_val = binary_accuracy(self.X_val, self.Y_val, self.model)
        return loss, accuracy_train, accuracy_val


class ScaffoldSoftmaxTrainer(BaseTrainer):

    def train_step(self, X_batch, Y_batch):
        outputs = self.model.forward(X_batch)
        self.model.backward(X_batch, outputs, Y_batch)
        self.model.w = self.model.w - self.learning_rate * self.model.grad
        return softmax_loss(Y_batch, outputs)

    def validation_step(self):
        loss = softmax_loss(self.Y_val, self.model.forward(self.X_val))
        accuracy_train = softmax_accuracy(self.X_train, self.Y_train, self.model)
        accuracy_val = softmax_accuracy(self.X_val, self.Y_val, self.model)
        return loss, accuracy_train, accuracy_val
